// CodeChecker-compatible Thrift API, version 6.74.
// Querying and controlling long-running background jobs on the server.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.codeCheckerServersideTasks_v6

/** Life-cycle states of a background task. */
enum TaskStatus {
  ALLOCATED = 0,
  ENQUEUED = 1,
  RUNNING = 2,
  COMPLETED = 3,
  FAILED = 4,
  CANCELLED = 5,
  DROPPED = 6,
}

/** Public state of a background task. */
struct TaskInfo {
   1: optional string     token,
   2: optional string     taskKind,
   3: optional TaskStatus status,
   4: optional i64        productId,
   5: optional string     actorUsername,
   6: optional string     summary,
   7: optional string     comments,
   8: optional i64        enqueuedAtEpoch,
   9: optional i64        startedAtEpoch,
  10: optional i64        completedAtEpoch,
  11: optional i64        lastHeartbeatEpoch,
  12: optional bool       cancelFlagSet,

  // Extensions of this server (ids 100 and up; CodeChecker's clients skip
  // fields they do not know, and its servers never send them).

  /** How far the task has got, in percent (0..=100), as the task reports
      it; absent before the first report. */
  100: optional i32       progress,
}

/** Task state plus the details only administrators see. */
struct AdministratorTaskInfo {
  1: optional TaskInfo normalInfo,
  2: optional string   machineId,
  3: optional bool     statusConsumed,
}

/** Conditions for listing tasks. */
struct TaskFilter {
   1: optional list<string>                   tokens,
   2: optional list<string>                   machineIDs,
   3: optional list<string>                   kinds,
   4: optional list<TaskStatus>               statuses,
   5: optional list<string>                   usernames,
   6: optional list<i64>                      productIDs,
   7: optional i64                            enqueuedBeforeEpoch,
   8: optional i64                            enqueuedAfterEpoch,
   9: optional i64                            startedBeforeEpoch,
  10: optional i64                            startedAfterEpoch,
  11: optional i64                            completedBeforeEpoch,
  12: optional i64                            completedAfterEpoch,
  13: optional i64                            heartbeatBeforeEpoch,
  14: optional i64                            heartbeatAfterEpoch,
  15: optional codechecker_api_shared.Ternary cancelFlag,
  16: optional codechecker_api_shared.Ternary consumedFlag,
}

/** Background task endpoint (served under "Tasks"). */
service codeCheckerServersideTaskService {
  /** State of the task with the given token. */
  TaskInfo getTaskInfo(1: string token)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Tasks matching a filter, with the administrator-only details. */
  list<AdministratorTaskInfo> getTasks(1: TaskFilter filters)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Asks a task to stop; returns whether the request was recorded. */
  bool cancelTask(1: string token)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Starts a do-nothing task, for testing. */
  string createDummyTask(1: i32 timeout, 2: bool shouldFail)
      throws (1: codechecker_api_shared.RequestFailed requestError)
}
