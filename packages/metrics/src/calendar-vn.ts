/**
 * Vietnam's working-day calendar for state agencies (cán bộ, công chức, viên chức: the one-stop
 * desks), 2024–2026. Holidays are listed only where they fall Monday to Friday, including the
 * compensatory day off when a holiday falls on a weekend (Labour Code 2019, Art. 111(3)) and the
 * weekdays given off in exchange for a worked Saturday; `workdays` are those worked Saturdays.
 *
 * Statutory holidays (Labour Code 2019, Art. 112(1)): New Year 1/1; Lunar New Year (Tết) 5 days;
 * Hùng Kings' Commemoration 10/3 lunar; Victory Day 30/4; Labour Day 1/5; National Day 2/9 and one
 * adjacent day. Each year the Government (on the proposal of the Ministry of Labour, Invalids and
 * Social Affairs, from March 2025 the Ministry of Home Affairs) fixes which Tết and National Day
 * days are taken and any swaps. Sources are the Government's approvals as reported at the time;
 * where a day is not confirmed the comment says so. Later years, or a correction, go in the file
 * named by MOTCUA_CALENDAR_FILE (see docs/configuration.md).
 */
import type { WorkCalendarData } from './calendar.ts';

/** Years the built-in data covers; outside them only weekends are days off. */
export const VN_CALENDAR_YEARS = [2024, 2025, 2026] as const;

export const VN_CALENDAR: WorkCalendarData = {
  holidays: [
    // 2024. Tết Giáp Thìn off Thu 8/2 – Wed 14/2 (29 Chạp – mùng 5) and National Day off Sat 31/8 –
    // Tue 3/9: the Prime Minister's approval of the Ministry of Labour's plan (Vietnam News,
    // 5 Nov 2023). 30/4–1/5 off Sat 27/4 – Wed 1/5, Mon 29/4 swapped with Sat 4/5: Government
    // Office dispatch 2450/VPCP-KGVX of 12 Apr 2024. Confidence: high.
    '2024-01-01', // Mon, New Year
    '2024-02-08', // Thu, Tết (29 Chạp)
    '2024-02-09', // Fri, Tết
    '2024-02-12', // Mon, Tết (mùng 3)
    '2024-02-13', // Tue, Tết
    '2024-02-14', // Wed, Tết (mùng 5)
    '2024-04-18', // Thu, Hùng Kings (10/3 lunar)
    '2024-04-29', // Mon, swapped with Sat 4/5
    '2024-04-30', // Tue, Victory Day
    '2024-05-01', // Wed, Labour Day
    '2024-09-02', // Mon, National Day
    '2024-09-03', // Tue, National Day (the day after)

    // 2025. Tết Ất Tỵ off Sat 25/1 – Sun 2/2: the 5 statutory days are Mon 27/1 – Fri 31/1, so no
    // swap (Prime Minister's approval, Government Office, 26 Nov 2024). 30/4–1/5 off Wed 30/4 –
    // Sun 4/5, Fri 2/5 swapped with Sat 26/4 (TTXVN/VietnamPlus, April 2025). National Day off
    // Sat 30/8 – Tue 2/9. Confidence: high.
    '2025-01-01', // Wed, New Year
    '2025-01-27', // Mon, Tết (28 Chạp)
    '2025-01-28', // Tue, Tết (29 Chạp, New Year's Eve)
    '2025-01-29', // Wed, Tết (mùng 1)
    '2025-01-30', // Thu, Tết
    '2025-01-31', // Fri, Tết (mùng 3)
    '2025-04-07', // Mon, Hùng Kings (10/3 lunar)
    '2025-04-30', // Wed, Victory Day
    '2025-05-01', // Thu, Labour Day
    '2025-05-02', // Fri, swapped with Sat 26/4
    '2025-09-01', // Mon, National Day (the day before)
    '2025-09-02', // Tue, National Day

    // 2026. New Year off Thu 1/1 – Sun 4/1, Fri 2/1 swapped with Sat 10/1: Government Office
    // dispatch 12729/VPCP-KGVX of 25 Dec 2025 (high). Tết Bính Ngọ off Sat 14/2 – Sun 22/2, the 5
    // statutory days Mon 16/2 – Fri 20/2, no swap; National Day off Sat 29/8 – Wed 2/9, Mon 31/8
    // swapped with Sat 22/8: the Prime Minister approved the Ministry of Home Affairs' plan
    // (SGGP, 14 Oct 2025; the swap Saturday as in the Ministry's proposal, Dân trí, 2 Oct 2025)
    // (high for the days off, medium for Sat 22/8). Hùng Kings falls on Sun 26/4, so Mon 27/4 is
    // the compensatory day (statutory). 30/4 and 1/5 are Thu and Fri; no swap for Tue 28/4 – Wed
    // 29/4 had been announced by Feb 2026 (medium: one may still come). Not included: Vietnamese
    // Culture Day 24/11, which Politburo Resolution 80-NQ/TW and Government Resolution 30/NQ-CP
    // (2026) want made a paid holiday by amending the Labour Code; not law when this was written.
    '2026-01-01', // Thu, New Year
    '2026-01-02', // Fri, swapped with Sat 10/1
    '2026-02-16', // Mon, Tết (29 Chạp, New Year's Eve)
    '2026-02-17', // Tue, Tết (mùng 1)
    '2026-02-18', // Wed, Tết
    '2026-02-19', // Thu, Tết
    '2026-02-20', // Fri, Tết (mùng 4)
    '2026-04-27', // Mon, compensatory day for Hùng Kings (Sun 26/4)
    '2026-04-30', // Thu, Victory Day
    '2026-05-01', // Fri, Labour Day
    '2026-08-31', // Mon, swapped with Sat 22/8
    '2026-09-01', // Tue, National Day (the day before)
    '2026-09-02', // Wed, National Day
  ],
  workdays: [
    '2024-05-04', // Sat, for Mon 29/4/2024
    '2025-04-26', // Sat, for Fri 2/5/2025
    '2026-01-10', // Sat, for Fri 2/1/2026
    '2026-08-22', // Sat, for Mon 31/8/2026 (as proposed; confirm)
  ],
};
