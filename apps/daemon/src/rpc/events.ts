import * as grpc from '@grpc/grpc-js';
import { pb } from '@sluice/api';
import { settingsToPb } from '@sluice/api/domain';
import type { DaemonContext } from './context.js';
import { admit, refusal } from './handler.js';

/**
 * Unread events a subscriber may leave waiting before it is dropped: enough for a burst of changes
 * to a client that is only slow, at most a few MB even when each is a whole relay list.
 */
export const MAX_UNREAD_EVENTS = 32;

/**
 * `serialize`, done once per message object: the hub hands every subscriber the same event, so 50
 * subscribers cost one encoding, not 50 (issue 13: the fan-out of a setting change).
 */
export function encodedOnce<T extends object>(serialize: (value: T) => Buffer): (value: T) => Buffer {
  const encoded = new WeakMap<T, Buffer>();
  return (value) => {
    let bytes = encoded.get(value);
    if (bytes === undefined) {
      bytes = serialize(value);
      encoded.set(value, bytes);
    }
    return bytes;
  };
}

/** EventService as grpc-js is given it: each event encoded once, however many streams it goes to. */
export const eventServiceDefinition = {
  ...pb.EventServiceService,
  eventsListen: {
    ...pb.EventServiceService.eventsListen,
    responseSerialize: encodedOnce(pb.EventServiceService.eventsListen.responseSerialize),
  },
} as const;

export function snapshot(ctx: DaemonContext): pb.EventsListenResponse {
  return {
    event: {
      $case: 'snapshot',
      value: {
        tunnelState: ctx.tunnelState(),
        settings: settingsToPb(ctx.settings.settings),
        relayList: ctx.relayList(),
        splitTunnel: ctx.splitTunnelState(),
        identity: ctx.identityPb(),
        notices: [...ctx.notices],
      },
    },
  };
}

export function eventService(ctx: DaemonContext): pb.EventServiceServer {
  return {
    eventsListen: (call: grpc.ServerWritableStream<pb.EventsListenRequest, pb.EventsListenResponse>) => {
      try {
        admit(ctx, 'eventsListen', call);
      } catch (error) {
        // grpc-js sends a server stream's status from an 'error' event carrying code and details.
        call.emit('error', refusal(error));
        return;
      }
      let unsubscribe: (() => void) | undefined;
      const stop = (): void => {
        unsubscribe?.();
        unsubscribe = undefined;
      };
      // 'cancelled' fires when the client cancels or goes away; 'close' covers the server ending it.
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
      unsubscribe = ctx.hub.subscribe(
        {
          wantsStats: call.request.includeStats,
          send: (event) => {
            // A subscriber that does not read is dropped, not buffered for: its queue would grow
            // without bound (20 clients that never read held 100 MB). The stream counts messages.
            if (call.writableLength > MAX_UNREAD_EVENTS) {
              stop();
              ctx.log.warn({ unread: call.writableLength }, 'dropped an event subscriber that does not read');
              call.emit('error', {
                code: grpc.status.RESOURCE_EXHAUSTED,
                details: `events were not read: more than ${MAX_UNREAD_EVENTS} waited; subscribe again`,
              });
              return;
            }
            call.write(event);
          },
          end: () => call.end(),
        },
        () => snapshot(ctx),
      );
      ctx.log.debug({ subscribers: ctx.hub.size }, 'event subscriber added');
    },
  };
}
