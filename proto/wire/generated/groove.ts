import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelAttempt as _groove_CancelAttempt, CancelAttempt__Output as _groove_CancelAttempt__Output } from './groove/CancelAttempt';
import type { CancelJob as _groove_CancelJob, CancelJob__Output as _groove_CancelJob__Output } from './groove/CancelJob';
import type { CommittedAttempts as _groove_CommittedAttempts, CommittedAttempts__Output as _groove_CommittedAttempts__Output } from './groove/CommittedAttempts';
import type { DataChunk as _groove_DataChunk, DataChunk__Output as _groove_DataChunk__Output } from './groove/DataChunk';
import type { Drain as _groove_Drain, Drain__Output as _groove_Drain__Output } from './groove/Drain';
import type { FetchPartitionRequest as _groove_FetchPartitionRequest, FetchPartitionRequest__Output as _groove_FetchPartitionRequest__Output } from './groove/FetchPartitionRequest';
import type { FetchTicket as _groove_FetchTicket, FetchTicket__Output as _groove_FetchTicket__Output } from './groove/FetchTicket';
import type { GetPackRequest as _groove_GetPackRequest, GetPackRequest__Output as _groove_GetPackRequest__Output } from './groove/GetPackRequest';
import type { Heartbeat as _groove_Heartbeat, Heartbeat__Output as _groove_Heartbeat__Output } from './groove/Heartbeat';
import type { InputPiece as _groove_InputPiece, InputPiece__Output as _groove_InputPiece__Output } from './groove/InputPiece';
import type { JobEvent as _groove_JobEvent, JobEvent__Output as _groove_JobEvent__Output } from './groove/JobEvent';
import type { JobRequest as _groove_JobRequest, JobRequest__Output as _groove_JobRequest__Output } from './groove/JobRequest';
import type { JobStatus as _groove_JobStatus, JobStatus__Output as _groove_JobStatus__Output } from './groove/JobStatus';
import type { ListJobsReply as _groove_ListJobsReply, ListJobsReply__Output as _groove_ListJobsReply__Output } from './groove/ListJobsReply';
import type { ListJobsRequest as _groove_ListJobsRequest, ListJobsRequest__Output as _groove_ListJobsRequest__Output } from './groove/ListJobsRequest';
import type { ListWorkersReply as _groove_ListWorkersReply, ListWorkersReply__Output as _groove_ListWorkersReply__Output } from './groove/ListWorkersReply';
import type { ListWorkersRequest as _groove_ListWorkersRequest, ListWorkersRequest__Output as _groove_ListWorkersRequest__Output } from './groove/ListWorkersRequest';
import type { MapInput as _groove_MapInput, MapInput__Output as _groove_MapInput__Output } from './groove/MapInput';
import type { MapOutputInfo as _groove_MapOutputInfo, MapOutputInfo__Output as _groove_MapOutputInfo__Output } from './groove/MapOutputInfo';
import type { MasterClient as _groove_MasterClient, MasterDefinition as _groove_MasterDefinition } from './groove/Master';
import type { MasterMessage as _groove_MasterMessage, MasterMessage__Output as _groove_MasterMessage__Output } from './groove/MasterMessage';
import type { OutputHost as _groove_OutputHost, OutputHost__Output as _groove_OutputHost__Output } from './groove/OutputHost';
import type { PackChunk as _groove_PackChunk, PackChunk__Output as _groove_PackChunk__Output } from './groove/PackChunk';
import type { PurgeJobFiles as _groove_PurgeJobFiles, PurgeJobFiles__Output as _groove_PurgeJobFiles__Output } from './groove/PurgeJobFiles';
import type { PurgeReply as _groove_PurgeReply, PurgeReply__Output as _groove_PurgeReply__Output } from './groove/PurgeReply';
import type { ReadResultRequest as _groove_ReadResultRequest, ReadResultRequest__Output as _groove_ReadResultRequest__Output } from './groove/ReadResultRequest';
import type { ReduceOutputInfo as _groove_ReduceOutputInfo, ReduceOutputInfo__Output as _groove_ReduceOutputInfo__Output } from './groove/ReduceOutputInfo';
import type { RegisterWorker as _groove_RegisterWorker, RegisterWorker__Output as _groove_RegisterWorker__Output } from './groove/RegisterWorker';
import type { Registered as _groove_Registered, Registered__Output as _groove_Registered__Output } from './groove/Registered';
import type { ResultLocation as _groove_ResultLocation, ResultLocation__Output as _groove_ResultLocation__Output } from './groove/ResultLocation';
import type { ResultLocations as _groove_ResultLocations, ResultLocations__Output as _groove_ResultLocations__Output } from './groove/ResultLocations';
import type { ResultSplit as _groove_ResultSplit, ResultSplit__Output as _groove_ResultSplit__Output } from './groove/ResultSplit';
import type { SubmitJobReply as _groove_SubmitJobReply, SubmitJobReply__Output as _groove_SubmitJobReply__Output } from './groove/SubmitJobReply';
import type { SubmitJobRequest as _groove_SubmitJobRequest, SubmitJobRequest__Output as _groove_SubmitJobRequest__Output } from './groove/SubmitJobRequest';
import type { TaskAssignment as _groove_TaskAssignment, TaskAssignment__Output as _groove_TaskAssignment__Output } from './groove/TaskAssignment';
import type { TaskLogLine as _groove_TaskLogLine, TaskLogLine__Output as _groove_TaskLogLine__Output } from './groove/TaskLogLine';
import type { TaskLogsRequest as _groove_TaskLogsRequest, TaskLogsRequest__Output as _groove_TaskLogsRequest__Output } from './groove/TaskLogsRequest';
import type { TaskStats as _groove_TaskStats, TaskStats__Output as _groove_TaskStats__Output } from './groove/TaskStats';
import type { TaskUpdate as _groove_TaskUpdate, TaskUpdate__Output as _groove_TaskUpdate__Output } from './groove/TaskUpdate';
import type { WorkerClient as _groove_WorkerClient, WorkerDefinition as _groove_WorkerDefinition } from './groove/Worker';
import type { WorkerInfo as _groove_WorkerInfo, WorkerInfo__Output as _groove_WorkerInfo__Output } from './groove/WorkerInfo';
import type { WorkerMessage as _groove_WorkerMessage, WorkerMessage__Output as _groove_WorkerMessage__Output } from './groove/WorkerMessage';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  groove: {
    CancelAttempt: MessageTypeDefinition<_groove_CancelAttempt, _groove_CancelAttempt__Output>
    CancelJob: MessageTypeDefinition<_groove_CancelJob, _groove_CancelJob__Output>
    CommittedAttempts: MessageTypeDefinition<_groove_CommittedAttempts, _groove_CommittedAttempts__Output>
    DataChunk: MessageTypeDefinition<_groove_DataChunk, _groove_DataChunk__Output>
    Drain: MessageTypeDefinition<_groove_Drain, _groove_Drain__Output>
    FetchPartitionRequest: MessageTypeDefinition<_groove_FetchPartitionRequest, _groove_FetchPartitionRequest__Output>
    FetchTicket: MessageTypeDefinition<_groove_FetchTicket, _groove_FetchTicket__Output>
    GetPackRequest: MessageTypeDefinition<_groove_GetPackRequest, _groove_GetPackRequest__Output>
    Heartbeat: MessageTypeDefinition<_groove_Heartbeat, _groove_Heartbeat__Output>
    InputPiece: MessageTypeDefinition<_groove_InputPiece, _groove_InputPiece__Output>
    JobEvent: MessageTypeDefinition<_groove_JobEvent, _groove_JobEvent__Output>
    JobRequest: MessageTypeDefinition<_groove_JobRequest, _groove_JobRequest__Output>
    JobStatus: MessageTypeDefinition<_groove_JobStatus, _groove_JobStatus__Output>
    ListJobsReply: MessageTypeDefinition<_groove_ListJobsReply, _groove_ListJobsReply__Output>
    ListJobsRequest: MessageTypeDefinition<_groove_ListJobsRequest, _groove_ListJobsRequest__Output>
    ListWorkersReply: MessageTypeDefinition<_groove_ListWorkersReply, _groove_ListWorkersReply__Output>
    ListWorkersRequest: MessageTypeDefinition<_groove_ListWorkersRequest, _groove_ListWorkersRequest__Output>
    MapInput: MessageTypeDefinition<_groove_MapInput, _groove_MapInput__Output>
    MapOutputInfo: MessageTypeDefinition<_groove_MapOutputInfo, _groove_MapOutputInfo__Output>
    Master: SubtypeConstructor<typeof grpc.Client, _groove_MasterClient> & { service: _groove_MasterDefinition }
    MasterMessage: MessageTypeDefinition<_groove_MasterMessage, _groove_MasterMessage__Output>
    OutputHost: MessageTypeDefinition<_groove_OutputHost, _groove_OutputHost__Output>
    PackChunk: MessageTypeDefinition<_groove_PackChunk, _groove_PackChunk__Output>
    PurgeJobFiles: MessageTypeDefinition<_groove_PurgeJobFiles, _groove_PurgeJobFiles__Output>
    PurgeReply: MessageTypeDefinition<_groove_PurgeReply, _groove_PurgeReply__Output>
    ReadResultRequest: MessageTypeDefinition<_groove_ReadResultRequest, _groove_ReadResultRequest__Output>
    ReduceOutputInfo: MessageTypeDefinition<_groove_ReduceOutputInfo, _groove_ReduceOutputInfo__Output>
    RegisterWorker: MessageTypeDefinition<_groove_RegisterWorker, _groove_RegisterWorker__Output>
    Registered: MessageTypeDefinition<_groove_Registered, _groove_Registered__Output>
    ResultLocation: MessageTypeDefinition<_groove_ResultLocation, _groove_ResultLocation__Output>
    ResultLocations: MessageTypeDefinition<_groove_ResultLocations, _groove_ResultLocations__Output>
    ResultSplit: MessageTypeDefinition<_groove_ResultSplit, _groove_ResultSplit__Output>
    SubmitJobReply: MessageTypeDefinition<_groove_SubmitJobReply, _groove_SubmitJobReply__Output>
    SubmitJobRequest: MessageTypeDefinition<_groove_SubmitJobRequest, _groove_SubmitJobRequest__Output>
    TaskAssignment: MessageTypeDefinition<_groove_TaskAssignment, _groove_TaskAssignment__Output>
    TaskKind: EnumTypeDefinition
    TaskLogLine: MessageTypeDefinition<_groove_TaskLogLine, _groove_TaskLogLine__Output>
    TaskLogsRequest: MessageTypeDefinition<_groove_TaskLogsRequest, _groove_TaskLogsRequest__Output>
    TaskOutcome: EnumTypeDefinition
    TaskStats: MessageTypeDefinition<_groove_TaskStats, _groove_TaskStats__Output>
    TaskUpdate: MessageTypeDefinition<_groove_TaskUpdate, _groove_TaskUpdate__Output>
    Worker: SubtypeConstructor<typeof grpc.Client, _groove_WorkerClient> & { service: _groove_WorkerDefinition }
    WorkerInfo: MessageTypeDefinition<_groove_WorkerInfo, _groove_WorkerInfo__Output>
    WorkerMessage: MessageTypeDefinition<_groove_WorkerMessage, _groove_WorkerMessage__Output>
  }
}

