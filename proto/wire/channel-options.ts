import type { ChannelOptions } from '@grpc/grpc-js';

/** The largest message any Groove server or client accepts: 64 MiB (job packs, data chunks). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Size of each data chunk on the shuffle streams. */
export const DATA_CHUNK_BYTES = 1024 * 1024;

/**
 * Channel settings used on both sides of every connection. The larger HTTP/2 flow-control
 * window lets a shuffle stream keep the pipe full instead of stalling every 64 KiB: it is
 * the receiver's window that paces a stream, and for the shuffle service's server streams the
 * receiver is the client, which applies it (grpc-js servers ignore this option).
 */
export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc-node.flow_control_window': 4 * 1024 * 1024,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
};
