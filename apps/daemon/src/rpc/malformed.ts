// A request whose bytes are not a valid message of its type must be refused as INVALID_ARGUMENT, not
// answered INTERNAL (grpc-js's own answer when decoding throws). Each method's decoder is wrapped: a
// message that does not decode becomes the empty message, marked, and the handler wrapper refuses it.
import { ValidationError, safeMessage } from '@sluice/api/domain';

const MALFORMED = Symbol('malformed request');

interface MethodDefinition {
  requestDeserialize: (value: Buffer) => unknown;
}

/** The same service definition, with decoders that never throw. */
export function tolerantDecoding<S extends Record<string, MethodDefinition>>(service: S): S {
  const out: Record<string, MethodDefinition> = {};
  for (const [name, method] of Object.entries(service)) {
    out[name] = {
      ...method,
      requestDeserialize: (value: Buffer) => {
        try {
          return method.requestDeserialize(value);
        } catch (error) {
          const empty = method.requestDeserialize(Buffer.alloc(0));
          const reason = error instanceof Error ? error.message : String(error);
          return typeof empty === 'object' && empty !== null
            ? Object.assign(empty, { [MALFORMED]: reason })
            : empty;
        }
      },
    };
  }
  // Same keys and shapes: only the decoders' failure mode changed.
  return out as S;
}

/** Throws ValidationError when `request` did not decode. */
export function refuseMalformed(request: unknown): void {
  if (typeof request !== 'object' || request === null) return;
  const reason: unknown = Reflect.get(request, MALFORMED);
  if (typeof reason === 'string')
    throw new ValidationError('request', `is not a valid message of its type (${safeMessage(reason, 120)})`);
}
