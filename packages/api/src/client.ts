// The client side of the helper's socket: one channel, promise-returning unary calls with deadlines,
// typed errors, and an event stream that reconnects with backoff.
import { lstatSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { backoffDelay } from './backoff.js';
import { ApiError, HelperUnreachableError, toApiError } from './errors.js';
import { DiagnosticsServiceService } from './gen/sluice/v1/diagnostics_service.js';
import { EventServiceService, type EventsListenResponse } from './gen/sluice/v1/events_service.js';
import { IdentityServiceService } from './gen/sluice/v1/identity_service.js';
import type { RelayLatency } from './gen/sluice/v1/relays.js';
import { RelayServiceService, type MeasureLatencyRequest } from './gen/sluice/v1/relays_service.js';
import { SettingsServiceService } from './gen/sluice/v1/settings_service.js';
import { SplitTunnelServiceService } from './gen/sluice/v1/split_tunnel_service.js';
import { TunnelServiceService } from './gen/sluice/v1/tunnel_service.js';

export const DEFAULT_SOCKET_PATH = '/run/sluice/daemon.sock';

/** The shape ts-proto gives each method of a grpc-js service definition. */
interface MethodDefinition<Req, Res> {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (value: Buffer) => Res;
}

export interface CallOptions {
  /** Milliseconds from now; defaults to the client's deadline. */
  deadlineMs?: number;
}

/** Every unary method of a service definition as `(request) => Promise<response>`. */
export type UnaryClient<D> = {
  [K in keyof D as D[K] extends { requestStream: false; responseStream: false } ? K : never]: D[K] extends {
    requestSerialize: (value: infer Req) => Buffer;
    responseDeserialize: (value: Buffer) => infer Res;
  }
    ? (request: Req, options?: CallOptions) => Promise<Res>
    : never;
};

export interface HelperClientOptions {
  socketPath?: string;
  /** Deadline for unary calls in milliseconds (default 10 s). */
  deadlineMs?: number;
  /** Refuse a socket not owned by this uid (the desktop app passes 0: only root's helper is trusted). */
  requireOwnerUid?: number;
}

export interface EventWatchHandlers {
  onEvent: (event: EventsListenResponse) => void;
  /** Called with true once a stream delivers its snapshot, with false when it breaks. */
  onConnectionChange?: (connected: boolean, error?: ApiError) => void;
  includeStats?: boolean;
  /** Random source for the reconnect jitter (tests pin it). */
  random?: () => number;
}

export interface EventWatch {
  close(): void;
}

export class HelperClient {
  readonly socketPath: string;
  readonly tunnel: UnaryClient<typeof TunnelServiceService>;
  readonly settings: UnaryClient<typeof SettingsServiceService>;
  readonly relays: UnaryClient<typeof RelayServiceService>;
  readonly identity: UnaryClient<typeof IdentityServiceService>;
  readonly splitTunnel: UnaryClient<typeof SplitTunnelServiceService>;
  readonly diagnostics: UnaryClient<typeof DiagnosticsServiceService>;
  private readonly client: grpc.Client;
  private readonly deadlineMs: number;
  private readonly requireOwnerUid: number | undefined;

  constructor(options: HelperClientOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_SOCKET_PATH;
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.requireOwnerUid = options.requireOwnerUid;
    this.client = new grpc.Client(`unix://${this.socketPath}`, grpc.credentials.createInsecure(), {
      // The helper is local: retry the socket quickly after it restarts.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
    this.tunnel = this.unaryClient(TunnelServiceService);
    this.settings = this.unaryClient(SettingsServiceService);
    this.relays = this.unaryClient(RelayServiceService);
    this.identity = this.unaryClient(IdentityServiceService);
    this.splitTunnel = this.unaryClient(SplitTunnelServiceService);
    this.diagnostics = this.unaryClient(DiagnosticsServiceService);
  }

  close(): void {
    this.client.close();
  }

  /** Resolves once the socket accepts a connection; rejects with HelperUnreachableError at the deadline. */
  async waitForReady(timeoutMs: number): Promise<void> {
    this.checkSocket();
    await new Promise<void>((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error) reject(new HelperUnreachableError(this.socketPath, error.message));
        else resolve();
      });
    });
  }

  /**
   * One EventsListen stream, no reconnect. The first event is the snapshot. `onEnd` runs once, with the
   * error unless the caller cancelled.
   */
  listenEvents(
    onEvent: (event: EventsListenResponse) => void,
    onEnd: (error?: ApiError) => void,
    includeStats = false,
  ): { cancel(): void } {
    const method = EventServiceService.eventsListen;
    let ended = false;
    const finish = (error?: ApiError): void => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    try {
      this.checkSocket();
    } catch (error) {
      queueMicrotask(() => finish(toApiError(error, this.socketPath)));
      return { cancel: () => finish() };
    }
    const call = this.client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      { includeStats },
      new grpc.Metadata(),
      {},
    );
    let cancelled = false;
    call.on('data', (event: EventsListenResponse) => onEvent(event));
    call.on('error', (error: unknown) => {
      finish(cancelled ? undefined : toApiError(error, this.socketPath));
    });
    call.on('end', () =>
      finish(
        cancelled
          ? undefined
          : new HelperUnreachableError(this.socketPath, 'the helper closed the event stream'),
      ),
    );
    return {
      cancel: () => {
        cancelled = true;
        call.cancel();
        finish();
      },
    };
  }

  /**
   * RelayService.MeasureLatency: `onResult` gets each relay's result as it comes; resolves with all of
   * them when the helper ends the stream. Aborting `signal` cancels the call (the helper stops its
   * probes) and rejects. No deadline: measuring a long list takes a while, and the helper bounds it.
   */
  measureLatency(
    request: MeasureLatencyRequest,
    onResult?: (latency: RelayLatency) => void,
    signal?: AbortSignal,
  ): Promise<RelayLatency[]> {
    const method = RelayServiceService.measureLatency;
    return new Promise<RelayLatency[]>((resolve, reject) => {
      try {
        this.checkSocket();
      } catch (error) {
        reject(toApiError(error, this.socketPath));
        return;
      }
      if (signal?.aborted) {
        reject(new ApiError('cancelled', 'the latency measurement was cancelled', grpc.status.CANCELLED));
        return;
      }
      const results: RelayLatency[] = [];
      const call = this.client.makeServerStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        {},
      );
      const cancel = (): void => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      call.on('data', (response: { latency?: RelayLatency }) => {
        if (!response.latency) return;
        results.push(response.latency);
        onResult?.(response.latency);
      });
      call.on('error', (error: unknown) => {
        signal?.removeEventListener('abort', cancel);
        reject(toApiError(error, this.socketPath));
      });
      call.on('end', () => {
        signal?.removeEventListener('abort', cancel);
        resolve(results);
      });
    });
  }

  /** EventsListen that survives helper restarts: re-subscribes with jittered backoff until closed. */
  watchEvents(handlers: EventWatchHandlers): EventWatch {
    let closed = false;
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    let current: { cancel(): void } | undefined;
    let connected = false;
    const open = (): void => {
      if (closed) return;
      current = this.listenEvents(
        (event) => {
          if (!connected) {
            connected = true;
            attempt = 0;
            handlers.onConnectionChange?.(true);
          }
          handlers.onEvent(event);
        },
        (error) => {
          if (closed) return;
          if (connected || attempt === 0) handlers.onConnectionChange?.(false, error);
          connected = false;
          timer = setTimeout(open, backoffDelay(attempt++, handlers.random));
        },
        handlers.includeStats ?? false,
      );
    };
    open();
    return {
      close: () => {
        closed = true;
        if (timer) clearTimeout(timer);
        current?.cancel();
      },
    };
  }

  private checkSocket(): void {
    if (this.requireOwnerUid === undefined) return;
    let owner: number;
    try {
      const stat = lstatSync(this.socketPath);
      if (!stat.isSocket())
        throw new ApiError(
          'permission-denied',
          `${this.socketPath} is not a socket`,
          grpc.status.PERMISSION_DENIED,
        );
      owner = stat.uid;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new HelperUnreachableError(this.socketPath, 'the socket does not exist');
    }
    if (owner !== this.requireOwnerUid) {
      throw new ApiError(
        'permission-denied',
        `refusing ${this.socketPath}: it is owned by uid ${owner}, not ${this.requireOwnerUid}; another program may be impersonating the helper`,
        grpc.status.PERMISSION_DENIED,
      );
    }
  }

  private unaryClient<D extends object>(definition: D): UnaryClient<D> {
    const out: Record<string, (request: unknown, options?: CallOptions) => Promise<unknown>> = {};
    for (const [name, value] of Object.entries(definition)) {
      const method = value as MethodDefinition<unknown, unknown>;
      if (method.requestStream || method.responseStream) continue;
      out[name] = (request, options) => this.unary(method, request, options);
    }
    return out as UnaryClient<D>;
  }

  private unary<Req, Res>(
    method: MethodDefinition<Req, Res>,
    request: Req,
    options?: CallOptions,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      try {
        this.checkSocket();
      } catch (error) {
        reject(toApiError(error, this.socketPath));
        return;
      }
      const deadline = Date.now() + (options?.deadlineMs ?? this.deadlineMs);
      this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline },
        (error, response) => {
          if (error) reject(toApiError(error, this.socketPath));
          else if (response === undefined)
            reject(new ApiError('internal', `${method.path} returned no response`, grpc.status.INTERNAL));
          else resolve(response);
        },
      );
    });
  }
}
