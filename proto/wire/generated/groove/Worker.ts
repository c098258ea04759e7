// Original file: proto/wire/groove.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DataChunk as _groove_DataChunk, DataChunk__Output as _groove_DataChunk__Output } from '../groove/DataChunk';
import type { FetchPartitionRequest as _groove_FetchPartitionRequest, FetchPartitionRequest__Output as _groove_FetchPartitionRequest__Output } from '../groove/FetchPartitionRequest';
import type { FetchTicket as _groove_FetchTicket, FetchTicket__Output as _groove_FetchTicket__Output } from '../groove/FetchTicket';
import type { ReadResultRequest as _groove_ReadResultRequest, ReadResultRequest__Output as _groove_ReadResultRequest__Output } from '../groove/ReadResultRequest';
import type { TaskLogLine as _groove_TaskLogLine, TaskLogLine__Output as _groove_TaskLogLine__Output } from '../groove/TaskLogLine';
import type { TaskLogsRequest as _groove_TaskLogsRequest, TaskLogsRequest__Output as _groove_TaskLogsRequest__Output } from '../groove/TaskLogsRequest';

export interface WorkerClient extends grpc.Client {
  FetchPartition(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  FetchPartition(argument: _groove_FetchPartitionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  fetchPartition(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  fetchPartition(argument: _groove_FetchPartitionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  
  OpenFetch(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenFetch(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenFetch(argument: _groove_FetchPartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenFetch(argument: _groove_FetchPartitionRequest, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openFetch(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openFetch(argument: _groove_FetchPartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openFetch(argument: _groove_FetchPartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openFetch(argument: _groove_FetchPartitionRequest, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  
  OpenResultRead(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenResultRead(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenResultRead(argument: _groove_ReadResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  OpenResultRead(argument: _groove_ReadResultRequest, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openResultRead(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openResultRead(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openResultRead(argument: _groove_ReadResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  openResultRead(argument: _groove_ReadResultRequest, callback: grpc.requestCallback<_groove_FetchTicket__Output>): grpc.ClientUnaryCall;
  
  ReadResult(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  ReadResult(argument: _groove_ReadResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  readResult(argument: _groove_ReadResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  readResult(argument: _groove_ReadResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_DataChunk__Output>;
  
  ReadTaskLogs(argument: _groove_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  ReadTaskLogs(argument: _groove_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  readTaskLogs(argument: _groove_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  readTaskLogs(argument: _groove_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  
}

export interface WorkerHandlers extends grpc.UntypedServiceImplementation {
  FetchPartition: grpc.handleServerStreamingCall<_groove_FetchPartitionRequest__Output, _groove_DataChunk>;
  
  OpenFetch: grpc.handleUnaryCall<_groove_FetchPartitionRequest__Output, _groove_FetchTicket>;
  
  OpenResultRead: grpc.handleUnaryCall<_groove_ReadResultRequest__Output, _groove_FetchTicket>;
  
  ReadResult: grpc.handleServerStreamingCall<_groove_ReadResultRequest__Output, _groove_DataChunk>;
  
  ReadTaskLogs: grpc.handleServerStreamingCall<_groove_TaskLogsRequest__Output, _groove_TaskLogLine>;
  
}

export interface WorkerDefinition extends grpc.ServiceDefinition {
  FetchPartition: MethodDefinition<_groove_FetchPartitionRequest, _groove_DataChunk, _groove_FetchPartitionRequest__Output, _groove_DataChunk__Output>
  OpenFetch: MethodDefinition<_groove_FetchPartitionRequest, _groove_FetchTicket, _groove_FetchPartitionRequest__Output, _groove_FetchTicket__Output>
  OpenResultRead: MethodDefinition<_groove_ReadResultRequest, _groove_FetchTicket, _groove_ReadResultRequest__Output, _groove_FetchTicket__Output>
  ReadResult: MethodDefinition<_groove_ReadResultRequest, _groove_DataChunk, _groove_ReadResultRequest__Output, _groove_DataChunk__Output>
  ReadTaskLogs: MethodDefinition<_groove_TaskLogsRequest, _groove_TaskLogLine, _groove_TaskLogsRequest__Output, _groove_TaskLogLine__Output>
}
