import { z } from 'zod';
import { ERROR_CODES, type ErrorEnvelope } from './errors.ts';

/** The error envelope as a schema, for the OpenAPI documents. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'Names the field or header at fault, e.g. `data.level: …`' }),
      requestId: z.string().meta({ description: 'Also sent as the X-Request-Id header' }),
    }),
  })
  .meta({ id: 'Error' }) satisfies z.ZodType<ErrorEnvelope>;
// And the other way round: every envelope the type allows, the schema accepts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const envelopeMatches: Same<z.infer<typeof errorEnvelopeSchema>, ErrorEnvelope> = true;
void envelopeMatches;
