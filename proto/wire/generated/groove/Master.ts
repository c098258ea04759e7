// Original file: proto/wire/groove.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetPackRequest as _groove_GetPackRequest, GetPackRequest__Output as _groove_GetPackRequest__Output } from '../groove/GetPackRequest';
import type { JobEvent as _groove_JobEvent, JobEvent__Output as _groove_JobEvent__Output } from '../groove/JobEvent';
import type { JobRequest as _groove_JobRequest, JobRequest__Output as _groove_JobRequest__Output } from '../groove/JobRequest';
import type { JobStatus as _groove_JobStatus, JobStatus__Output as _groove_JobStatus__Output } from '../groove/JobStatus';
import type { ListJobsReply as _groove_ListJobsReply, ListJobsReply__Output as _groove_ListJobsReply__Output } from '../groove/ListJobsReply';
import type { ListJobsRequest as _groove_ListJobsRequest, ListJobsRequest__Output as _groove_ListJobsRequest__Output } from '../groove/ListJobsRequest';
import type { ListWorkersReply as _groove_ListWorkersReply, ListWorkersReply__Output as _groove_ListWorkersReply__Output } from '../groove/ListWorkersReply';
import type { ListWorkersRequest as _groove_ListWorkersRequest, ListWorkersRequest__Output as _groove_ListWorkersRequest__Output } from '../groove/ListWorkersRequest';
import type { MasterMessage as _groove_MasterMessage, MasterMessage__Output as _groove_MasterMessage__Output } from '../groove/MasterMessage';
import type { PackChunk as _groove_PackChunk, PackChunk__Output as _groove_PackChunk__Output } from '../groove/PackChunk';
import type { PurgeReply as _groove_PurgeReply, PurgeReply__Output as _groove_PurgeReply__Output } from '../groove/PurgeReply';
import type { ResultLocations as _groove_ResultLocations, ResultLocations__Output as _groove_ResultLocations__Output } from '../groove/ResultLocations';
import type { SubmitJobReply as _groove_SubmitJobReply, SubmitJobReply__Output as _groove_SubmitJobReply__Output } from '../groove/SubmitJobReply';
import type { SubmitJobRequest as _groove_SubmitJobRequest, SubmitJobRequest__Output as _groove_SubmitJobRequest__Output } from '../groove/SubmitJobRequest';
import type { TaskLogLine as _groove_TaskLogLine, TaskLogLine__Output as _groove_TaskLogLine__Output } from '../groove/TaskLogLine';
import type { TaskLogsRequest as _groove_TaskLogsRequest, TaskLogsRequest__Output as _groove_TaskLogsRequest__Output } from '../groove/TaskLogsRequest';
import type { WorkerMessage as _groove_WorkerMessage, WorkerMessage__Output as _groove_WorkerMessage__Output } from '../groove/WorkerMessage';

export interface MasterClient extends grpc.Client {
  GetJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  getJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  getJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  getJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  getJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  
  GetPack(argument: _groove_GetPackRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_PackChunk__Output>;
  GetPack(argument: _groove_GetPackRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_PackChunk__Output>;
  getPack(argument: _groove_GetPackRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_PackChunk__Output>;
  getPack(argument: _groove_GetPackRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_PackChunk__Output>;
  
  GetResultLocations(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  GetResultLocations(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  GetResultLocations(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  GetResultLocations(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  getResultLocations(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  getResultLocations(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  getResultLocations(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  getResultLocations(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_ResultLocations__Output>): grpc.ClientUnaryCall;
  
  GetTaskLogs(argument: _groove_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  GetTaskLogs(argument: _groove_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  getTaskLogs(argument: _groove_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  getTaskLogs(argument: _groove_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_TaskLogLine__Output>;
  
  KillJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  KillJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  KillJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  KillJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  killJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  killJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  killJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  killJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_JobStatus__Output>): grpc.ClientUnaryCall;
  
  ListJobs(argument: _groove_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _groove_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _groove_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _groove_ListJobsRequest, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _groove_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _groove_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _groove_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _groove_ListJobsRequest, callback: grpc.requestCallback<_groove_ListJobsReply__Output>): grpc.ClientUnaryCall;
  
  ListWorkers(argument: _groove_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _groove_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _groove_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _groove_ListWorkersRequest, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _groove_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _groove_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _groove_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _groove_ListWorkersRequest, callback: grpc.requestCallback<_groove_ListWorkersReply__Output>): grpc.ClientUnaryCall;
  
  PurgeJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  PurgeJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  PurgeJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  PurgeJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  purgeJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  purgeJob(argument: _groove_JobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  purgeJob(argument: _groove_JobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  purgeJob(argument: _groove_JobRequest, callback: grpc.requestCallback<_groove_PurgeReply__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_groove_WorkerMessage, _groove_MasterMessage__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_groove_WorkerMessage, _groove_MasterMessage__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_groove_WorkerMessage, _groove_MasterMessage__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_groove_WorkerMessage, _groove_MasterMessage__Output>;
  
  SubmitJob(argument: _groove_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _groove_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _groove_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _groove_SubmitJobRequest, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _groove_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _groove_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _groove_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _groove_SubmitJobRequest, callback: grpc.requestCallback<_groove_SubmitJobReply__Output>): grpc.ClientUnaryCall;
  
  WatchJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_JobEvent__Output>;
  WatchJob(argument: _groove_JobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_JobEvent__Output>;
  watchJob(argument: _groove_JobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_JobEvent__Output>;
  watchJob(argument: _groove_JobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_groove_JobEvent__Output>;
  
}

export interface MasterHandlers extends grpc.UntypedServiceImplementation {
  GetJob: grpc.handleUnaryCall<_groove_JobRequest__Output, _groove_JobStatus>;
  
  GetPack: grpc.handleServerStreamingCall<_groove_GetPackRequest__Output, _groove_PackChunk>;
  
  GetResultLocations: grpc.handleUnaryCall<_groove_JobRequest__Output, _groove_ResultLocations>;
  
  GetTaskLogs: grpc.handleServerStreamingCall<_groove_TaskLogsRequest__Output, _groove_TaskLogLine>;
  
  KillJob: grpc.handleUnaryCall<_groove_JobRequest__Output, _groove_JobStatus>;
  
  ListJobs: grpc.handleUnaryCall<_groove_ListJobsRequest__Output, _groove_ListJobsReply>;
  
  ListWorkers: grpc.handleUnaryCall<_groove_ListWorkersRequest__Output, _groove_ListWorkersReply>;
  
  PurgeJob: grpc.handleUnaryCall<_groove_JobRequest__Output, _groove_PurgeReply>;
  
  Session: grpc.handleBidiStreamingCall<_groove_WorkerMessage__Output, _groove_MasterMessage>;
  
  SubmitJob: grpc.handleUnaryCall<_groove_SubmitJobRequest__Output, _groove_SubmitJobReply>;
  
  WatchJob: grpc.handleServerStreamingCall<_groove_JobRequest__Output, _groove_JobEvent>;
  
}

export interface MasterDefinition extends grpc.ServiceDefinition {
  GetJob: MethodDefinition<_groove_JobRequest, _groove_JobStatus, _groove_JobRequest__Output, _groove_JobStatus__Output>
  GetPack: MethodDefinition<_groove_GetPackRequest, _groove_PackChunk, _groove_GetPackRequest__Output, _groove_PackChunk__Output>
  GetResultLocations: MethodDefinition<_groove_JobRequest, _groove_ResultLocations, _groove_JobRequest__Output, _groove_ResultLocations__Output>
  GetTaskLogs: MethodDefinition<_groove_TaskLogsRequest, _groove_TaskLogLine, _groove_TaskLogsRequest__Output, _groove_TaskLogLine__Output>
  KillJob: MethodDefinition<_groove_JobRequest, _groove_JobStatus, _groove_JobRequest__Output, _groove_JobStatus__Output>
  ListJobs: MethodDefinition<_groove_ListJobsRequest, _groove_ListJobsReply, _groove_ListJobsRequest__Output, _groove_ListJobsReply__Output>
  ListWorkers: MethodDefinition<_groove_ListWorkersRequest, _groove_ListWorkersReply, _groove_ListWorkersRequest__Output, _groove_ListWorkersReply__Output>
  PurgeJob: MethodDefinition<_groove_JobRequest, _groove_PurgeReply, _groove_JobRequest__Output, _groove_PurgeReply__Output>
  Session: MethodDefinition<_groove_WorkerMessage, _groove_MasterMessage, _groove_WorkerMessage__Output, _groove_MasterMessage__Output>
  SubmitJob: MethodDefinition<_groove_SubmitJobRequest, _groove_SubmitJobReply, _groove_SubmitJobRequest__Output, _groove_SubmitJobReply__Output>
  WatchJob: MethodDefinition<_groove_JobRequest, _groove_JobEvent, _groove_JobRequest__Output, _groove_JobEvent__Output>
}
