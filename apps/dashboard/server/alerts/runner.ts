/**
 * Runs the alerts in the dashboard process on the hub's clock: evaluates every few seconds,
 * sends due webhooks, mails digests, and tells the live hub which communes' alerts changed.
 * Each job skips a tick while its previous run is still going.
 */
import { type AlertChange, type Database, evaluateAlerts, type UnitTree } from '@motcua/db';
import type { Mailer } from '@motcua/mail';
import type { WorkCalendar } from '@motcua/metrics';
import type { HubClock, HubTimer } from '../hub.ts';
import { sendDigests } from './digest.ts';
import { sendDueWebhooks, type WebhookSenderOptions } from './webhooks.ts';

export interface AlertRunnerOptions {
  db: Database;
  tree: UnitTree;
  clock: HubClock;
  calendar: WorkCalendar;
  evaluateEveryMs: number;
  webhookEveryMs?: number;
  digestEveryMs: number;
  /** Absent: no mail (MOTCUA_SMTP_URL unset). */
  mailer?: Mailer;
  publicUrl?: string;
  webhooks?: WebhookSenderOptions;
  /** Told of the communes whose alerts changed (an evaluation here, or an action anywhere). */
  onChange: (communes: string[]) => void;
  log: (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class AlertRunner {
  readonly #timers: HubTimer[] = [];
  readonly #running = new Set<string>();

  constructor(readonly opts: AlertRunnerOptions) {}

  start(): void {
    const o = this.opts;
    this.#every('evaluate', o.evaluateEveryMs, () => this.evaluate());
    this.#every('webhooks', o.webhookEveryMs ?? 2_000, () =>
      sendDueWebhooks(o.db, () => o.clock.now(), o.webhooks),
    );
    const mailer = o.mailer;
    if (mailer) {
      this.#every('digest', o.digestEveryMs, () =>
        sendDigests(o.db, o.tree, mailer, {
          publicUrl: o.publicUrl,
          onError: (address, err) =>
            o.log('error', 'alert digest not sent', { address, error: (err as Error).message }),
        }),
      );
    }
  }

  /** One evaluation now; the hub hears of the communes that changed. */
  async evaluate(): Promise<AlertChange[]> {
    const o = this.opts;
    const changes = await evaluateAlerts(o.db, o.tree, { now: o.clock.now(), calendar: o.calendar });
    if (changes.length > 0) {
      o.onChange([...new Set(changes.map((c) => c.unitCode))]);
      o.log('info', 'alerts changed', {
        opened: changes.filter((c) => c.kind === 'opened').length,
        escalated: changes.filter((c) => c.kind === 'escalated').length,
        resolved: changes.filter((c) => c.kind === 'resolved').length,
      });
    }
    return changes;
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) this.opts.clock.clearInterval(t);
  }

  #every(name: string, ms: number, job: () => Promise<unknown>) {
    const run = () => {
      if (this.#running.has(name)) return;
      this.#running.add(name);
      job()
        .catch((err: Error) => this.opts.log('error', `alert ${name} failed`, { error: err.message }))
        .finally(() => this.#running.delete(name));
    };
    this.#timers.push(this.opts.clock.setInterval(run, ms));
  }
}
