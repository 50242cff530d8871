// The generated wire types and service definitions, in one namespace (`pb.*`).
export * from './gen/sluice/v1/diagnostics.js';
export * from './gen/sluice/v1/diagnostics_service.js';
export * from './gen/sluice/v1/events.js';
export * from './gen/sluice/v1/events_service.js';
export * from './gen/sluice/v1/identity.js';
export * from './gen/sluice/v1/identity_service.js';
export * from './gen/sluice/v1/relays.js';
export * from './gen/sluice/v1/relays_service.js';
export * from './gen/sluice/v1/settings.js';
export * from './gen/sluice/v1/settings_service.js';
export * from './gen/sluice/v1/split_tunnel.js';
export * from './gen/sluice/v1/split_tunnel_service.js';
export * from './gen/sluice/v1/tunnel.js';
export * from './gen/sluice/v1/tunnel_service.js';
