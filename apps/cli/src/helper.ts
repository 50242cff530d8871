// Everything that needs the gRPC runtime. `sluice` imports this module only when a command talks to the
// helper, so --help, usage errors and "the helper is not running" never load @grpc/grpc-js.
export { ApiError, HelperClient, HelperUnreachableError } from '@sluice/api';
