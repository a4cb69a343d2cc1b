// CodeChecker-compatible Thrift API, version 6.74.
// Runs, reports, reviews, statistics and storage: the per-product result API.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.codeCheckerDBAccess_v6

/** Largest page size accepted by list queries. */
const i64 MAX_QUERY_SIZE = 500

/** Status assigned to a report automatically when runs are stored. */
enum DetectionStatus {
  NEW = 0,
  RESOLVED = 1,
  UNRESOLVED = 2,
  REOPENED = 3,
  OFF = 4,
  UNAVAILABLE = 5,
}

/** Which side of a run comparison to return. */
enum DiffType {
  NEW = 0,
  RESOLVED = 1,
  UNRESOLVED = 2,
}

/** Encoding of returned file contents. */
enum Encoding {
  DEFAULT = 0,
  BASE64 = 1,
}

/** Sort direction. */
enum Order {
  ASC = 0,
  DESC = 1,
}

/** Whether a report still needs attention, from its review and detection status. */
enum ReportStatus {
  OUTSTANDING = 0,
  CLOSED = 1,
}

/** Verdict a user gave a report. */
enum ReviewStatus {
  UNREVIEWED = 0,
  CONFIRMED = 1,
  FALSE_POSITIVE = 2,
  INTENTIONAL = 3,
}

/** Checker severity levels. */
enum Severity {
  UNSPECIFIED = 0,
  STYLE = 10,
  LOW = 20,
  MEDIUM = 30,
  HIGH = 40,
  CRITICAL = 50,
}

/** Report list orderings. */
enum SortType {
  FILENAME = 0,
  CHECKER_NAME = 1,
  SEVERITY = 2,
  REVIEW_STATUS = 3,
  DETECTION_STATUS = 4,
  BUG_PATH_LENGTH = 5,
  TIMESTAMP = 6,
  TESTCASE = 7,
  CHRONOLOGICAL_ORDER = 8,
}

/** Run list orderings. */
enum RunSortType {
  NAME = 0,
  UNRESOLVED_REPORTS = 1,
  DATE = 2,
  DURATION = 3,
  CC_VERSION = 4,
}

/** Size limits the server applies to stored analysis data. */
enum StoreLimitKind {
  FAILURE_ZIP_SIZE = 0,
  COMPILATION_DATABASE_SIZE = 1,
}

/** Kinds of extra report locations. */
enum ExtendedReportDataType {
  NOTE = 0,
  MACRO = 10,
  FIXIT = 20,
}

/** Origin of a report comment. */
enum CommentKind {
  USER = 0,
  SYSTEM = 1,
}

/** Review status rule orderings. */
enum ReviewStatusRuleSortType {
  REPORT_HASH = 0,
  STATUS = 1,
  AUTHOR = 2,
  DATE = 3,
  ASSOCIATED_REPORTS_COUNT = 4,
}

/** A key/value string pair. */
struct Pair {
  1: optional string first,
  2: optional string second,
}

/** A stored source file, optionally with content and blame metadata. */
struct SourceFileData {
  1: optional i64    fileId,
  2: optional string filePath,
  3: optional string fileContent,
  4: optional bool   hasBlameInfo,
  5: optional string remoteUrl,
  6: optional string trackingBranch,
}

/** Ordering of a report list. */
struct SortMode {
  1: optional SortType type,
  2: optional Order    ord,
}

/** Ordering of a run list. */
struct RunSortMode {
  1: optional RunSortType type,
  2: optional Order       ord,
}

/** A message attached to a location on a report's path. */
struct BugPathEvent {
  1: optional i64    startLine,
  2: optional i64    startCol,
  3: optional i64    endLine,
  4: optional i64    endCol,
  5: optional string msg,
  6: optional i64    fileId,
  7: optional string filePath,
}

/** A range on a report's execution path. */
struct BugPathPos {
  1: optional i64    startLine,
  2: optional i64    startCol,
  3: optional i64    endLine,
  4: optional i64    endCol,
  5: optional i64    fileId,
  6: optional string filePath,
}

/** A note, macro expansion or fix-it attached to a report. */
struct ExtendedReportData {
  1: optional ExtendedReportDataType type,
  2: optional i64                    startLine,
  3: optional i64                    startCol,
  4: optional i64                    endLine,
  5: optional i64                    endCol,
  6: optional string                 message,
  7: optional i64                    fileId,
  8: optional string                 filePath,
}

/** A comment on a report. */
struct CommentData {
  1: optional i64         id,
  2: optional string      author,
  3: optional string      message,
  4: optional string      createdAt,
  5: optional CommentKind kind,
}

/** Path, extra data and comments of a report. */
struct ReportDetails {
  1: optional list<BugPathEvent>       pathEvents,
  2: optional list<BugPathPos>         executionPath,
  3: optional list<ExtendedReportData> extendedData,
  4: optional list<CommentData>        comments,
}

/** Per-analyzer success and failure counts of a run. */
struct AnalyzerStatistics {
  1: optional string       version,
  2: optional i64          failed,
  3: optional i64          successful,
  4: optional list<string> failedFilePaths,
}

/** Summary of a run. */
struct RunData {
   1: optional i64                             runId,
   2: optional string                          runDate,
   3: optional string                          name,
   4: optional i64                             duration,
   5: optional i64                             resultCount,
   6: optional string                          runCmd,
   7: optional map<DetectionStatus, i32>       detectionStatusCount,
   8: optional string                          versionTag,
   9: optional string                          codeCheckerVersion,
  10: optional map<string, AnalyzerStatistics> analyzerStatistics,
  11: optional string                          description,
}

/** Options of an asynchronous store request. */
struct SubmittedRunOptions {
  1: optional string       runName,
  2: optional string       tag,
  3: optional string       version,
  4: optional bool         force,
  5: optional list<string> trimPathPrefixes,
  6: optional string       description,
}

/** One stored version (store event) of a run. */
struct RunHistoryData {
   1: optional i64                             runId,
   2: optional string                          runName,
   3: optional string                          versionTag,
   4: optional string                          user,
   5: optional string                          time,
   6: optional i64                             id,
   7: optional string                          checkCommand,
   8: optional string                          codeCheckerVersion,
   9: optional map<string, AnalyzerStatistics> analyzerStatistics,
  11: optional string                          description,
}

/** A time window in Unix seconds. */
struct DateInterval {
  1: optional i64 before,
  2: optional i64 after,
}

/** Conditions on run history entries. */
struct RunHistoryFilter {
  1: optional list<string> tagNames,
  2: optional list<i64>    tagIds,
  3: optional DateInterval stored,
}

/** Number of reports per run tag. */
struct RunTagCount {
  1: optional string time,
  2: optional string name,
  3: optional i64    count,
  4: optional i64    id,
  5: optional string runName,
  6: optional i64    runId,
}

/** Review verdict of a report with its author and reason. */
struct ReviewData {
  1: optional ReviewStatus status,
  2: optional string       comment,
  3: optional string       author,
  4: optional string       date,
  5: optional bool         isInSource,
}

/** Ordering of review status rules. */
struct ReviewStatusRuleSortMode {
  1: optional ReviewStatusRuleSortType type,
  2: optional Order                    ord,
}

/** Conditions on review status rules. */
struct ReviewStatusRuleFilter {
  1: optional list<string>       reportHashes,
  2: optional list<ReviewStatus> reviewStatuses,
  4: optional list<string>       authors,
  5: optional bool               noAssociatedReports,
}

/** A review verdict bound to a report hash. */
struct ReviewStatusRule {
  1: optional string     reportHash,
  2: optional ReviewData reviewData,
  3: optional i64        associatedReportCount,
}

/** Lines last changed by one commit. */
struct BlameData {
  1: optional i64    startLine,
  2: optional i64    endLine,
  3: optional string commitHash,
}

/** Author of a commit. */
struct CommitAuthor {
  1: optional string name,
  2: optional string email,
}

/** A version control commit. */
struct Commit {
  1: optional CommitAuthor author,
  2: optional string       summary,
  3: optional string       message,
  4: optional string       committedDateTime,
}

/** Blame of a source file: commits and the lines they own. */
struct BlameInfo {
  1: optional map<string, Commit> commits,
  2: optional list<BlameData>     blame,
}

/** A report with its location, status and optional details. */
struct ReportData {
   1: optional i64                 runId,
   2: optional string              checkerId,
   3: optional string              bugHash,
   4: optional string              checkedFile,
   5: optional string              checkerMsg,
   6: optional i64                 reportId,
   7: optional i64                 fileId,
   8: optional i64                 line,
   9: optional i64                 column,
  10: optional Severity            severity,
  11: optional ReviewData          reviewData,
  12: optional DetectionStatus     detectionStatus,
  13: optional string              detectedAt,
  14: optional string              fixedAt,
  15: optional i64                 bugPathLength,
  16: optional ReportDetails       details,
  17: optional string              analyzerName,
  18: optional map<string, string> annotations,
  19: optional BlameInfo           blameInfo,
}

/** Inclusive bounds on bug path length. */
struct BugPathLengthRange {
  1: optional i64 min,
  2: optional i64 max,
}

/** Windows for detection and fix dates. */
struct ReportDate {
  1: optional DateInterval detected,
  2: optional DateInterval fixed,
}

/** Conditions on reports: members are ANDed, list elements ORed. */
struct ReportFilter {
   1: optional list<string>          filepath,
   2: optional list<string>          checkerMsg,
   3: optional list<string>          checkerName,
   4: optional list<string>          reportHash,
   5: optional list<Severity>        severity,
   6: optional list<ReviewStatus>    reviewStatus,
   7: optional list<DetectionStatus> detectionStatus,
   8: optional list<string>          runHistoryTag,
   9: optional i64                   firstDetectionDate,
  10: optional i64                   fixDate,
  11: optional bool                  isUnique,
  12: optional list<string>          runName,
  13: optional list<i64>             runTag,
  14: optional list<string>          componentNames,
  15: optional BugPathLengthRange    bugPathLength,
  16: optional ReportDate            date,
  17: optional list<string>          analyzerNames,
  18: optional i64                   openReportsDate,
  19: optional list<string>          cleanupPlanNames,
  20: optional bool                  fileMatchesAnyPoint,
  21: optional bool                  componentMatchesAnyPoint,
  22: optional list<Pair>            annotations,
  23: optional list<ReportStatus>    reportStatus,
  24: optional bool                  fullReportPathInComponent,
}

/** A saved, named report filter. */
struct FilterPreset {
  1: optional i64          id,
  2: optional string       name,
  3: optional ReportFilter reportFilter,
}

/** Number of reports in a run. */
struct RunReportCount {
  1: optional i64    runId,
  2: optional string name,
  3: optional i64    reportCount,
}

/** Number of reports of a checker. */
struct CheckerCount {
  1: optional string   name,
  2: optional Severity severity,
  3: optional i64      count,
}

/** Where a checker was enabled, disabled or unknown, with report counts. */
struct CheckerStatusVerificationDetail {
  1: optional string    checkerName,
  2: optional string    analyzerName,
  3: optional Severity  severity,
  4: optional list<i64> enabled,
  5: optional list<i64> disabled,
  6: optional i64       closed,
  7: optional i64       outstanding,
  8: optional list<i64> unknown,
}

/** Conditions on runs. */
struct RunFilter {
  1: optional list<i64>    ids,
  2: optional list<string> names,
  3: optional bool         exactMatch,
  4: optional i64          beforeTime,
  5: optional i64          afterTime,
  6: optional string       beforeRun,
  7: optional string       afterRun,
}

/** The other side of a run comparison. */
struct CompareData {
  1: optional list<i64> runIds,
  2: optional DiffType  diffType,
  3: optional list<i64> runTag,
  4: optional i64       openReportsDate,
}

/** Lines wanted from one file. */
struct LinesInFilesRequested {
  1: optional i64      fileId,
  2: optional set<i64> lines,
}

/** A named set of path patterns. */
struct SourceComponentData {
  1: optional string name,
  2: optional string value,
  3: optional string description,
}

/** A run where a file failed to analyse. */
struct AnalysisFailureInfo {
  1: optional string runName,
}

/** Comments and review verdicts keyed by report hash, for export/import. */
struct ExportData {
  1: optional map<string, list<CommentData>> comments,
  2: optional map<string, ReviewData>        reviewData,
}

/** Selects analysis info by run, run history entry or report. */
struct AnalysisInfoFilter {
  1: optional i64 runId,
  2: optional i64 runHistoryId,
  3: optional i64 reportId,
}

/** Whether a checker was enabled for an analysis. */
struct AnalysisInfoChecker {
  1: optional bool enabled,
}

/** Analyzer command line and checker states of an analysis. */
struct AnalysisInfo {
  1: optional string                                        analyzerCommand,
  2: optional map<string, map<string, AnalysisInfoChecker>> checkers,
}

/** A deadline-bound set of report hashes to fix. */
struct CleanupPlan {
  1: optional i64          id,
  2: optional string       name,
  3: optional i64          dueDate,
  4: optional string       description,
  5: optional i64          closedAt,
  6: optional list<string> reportHashes,
}

/** Conditions on cleanup plans. */
struct CleanupPlanFilter {
  1: optional list<i64>    ids,
  2: optional list<string> names,
  3: optional bool         isOpen,
}

/** A checker of an analyzer. */
struct Checker {
  1: optional string analyzerName,
  2: optional string checkerId,
}

/** A coding guideline by name. */
struct Guideline {
  1: optional string guidelineName,
}

/** A guideline rule with the checkers covering it. */
struct Rule {
  1: optional string       ruleId,
  2: optional string       title,
  3: optional string       url,
  4: optional list<string> checkers,
  5: optional string       level,
}

/** Per-product result endpoint (served per product under "CodeCheckerService"). */
service codeCheckerDBAccess {
  /** Runs matching a filter, paged and sorted. */
  list<RunData> getRunData(1: RunFilter runFilter, 2: i64 limit, 3: i64 offset, 4: RunSortMode sortMode)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Saves a filter preset; returns its id. */
  i64 storeFilterPreset(1: FilterPreset preset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Renames a filter preset; returns its id. */
  i64 renameFilterPreset(1: i64 id, 2: string name)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** One filter preset by id. */
  FilterPreset getFilterPreset(1: i64 id)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a filter preset; returns its id. */
  i64 deleteFilterPreset(1: i64 id)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** All filter presets of the product. */
  list<FilterPreset> listFilterPreset()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of runs matching a filter. */
  i64 getRunCount(1: RunFilter runFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Analysis command of a run or run history entry. */
  string getCheckCommand(1: i64 runHistoryId, 2: i64 runId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Analysis commands and checker states, paged. */
  list<AnalysisInfo> getAnalysisInfo(1: AnalysisInfoFilter analysisInfoFilter, 2: i64 limit, 3: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Store events of the given runs, paged. */
  list<RunHistoryData> getRunHistory(1: list<i64> runIds, 2: i64 limit, 3: i64 offset, 4: RunHistoryFilter runHistoryFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of store events of the given runs. */
  i64 getRunHistoryCount(1: list<i64> runIds, 2: RunHistoryFilter runHistoryFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Report hashes of a local result set compared against runs. */
  list<string> getDiffResultsHash(1: list<i64> runIds, 2: list<string> reportHashes, 3: DiffType diffType, 4: list<DetectionStatus> skipDetectionStatuses, 5: list<i64> tagIds)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** One report by id. */
  ReportData getReport(1: i64 reportId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Reports of runs matching filters, paged and sorted. */
  list<ReportData> getRunResults(1: list<i64> runIds, 2: i64 limit, 3: i64 offset, 4: list<SortMode> sortType, 5: ReportFilter reportFilter, 6: CompareData cmpData, 7: bool getDetails)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Annotations found on the matching reports. */
  list<string> getReportAnnotations(2: list<i64> runIds, 3: ReportFilter reportFilter, 4: CompareData cmpData)

  /** Number of matching reports per run. */
  list<RunReportCount> getRunReportCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: i64 limit, 4: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports. */
  i64 getRunResultCount(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of files that failed to analyse. */
  i64 getFailedFilesCount(1: list<i64> runIds)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Files that failed to analyse, with the runs they failed in. */
  map<string, list<AnalysisFailureInfo>> getFailedFiles(1: list<i64> runIds)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Path, extra data and comments of a report. */
  ReportDetails getReportDetails(1: i64 reportId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** A stored source file, optionally with its content. */
  SourceFileData getSourceFileData(1: i64 fileId, 2: bool fileContent, 3: Encoding encoding)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Blame information of a stored source file. */
  BlameInfo getBlameInfo(1: i64 fileId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Selected lines of stored files, by file id and line. */
  map<i64, map<i64, string>> getLinesInSourceFileContents(1: list<LinesInFilesRequested> linesInFilesRequested, 2: Encoding encoding)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Whether review status changes are switched off for the product. */
  bool isReviewStatusChangeDisabled()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Sets the review verdict of a report. */
  bool changeReviewStatus(1: i64 reportId, 2: ReviewStatus status, 3: string message)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Review status rules matching a filter, paged and sorted. */
  list<ReviewStatusRule> getReviewStatusRules(1: ReviewStatusRuleFilter filter, 2: ReviewStatusRuleSortMode sortMode, 3: i64 limit, 4: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching review status rules. */
  i64 getReviewStatusRulesCount(1: ReviewStatusRuleFilter filter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes matching review status rules. */
  bool removeReviewStatusRules(1: ReviewStatusRuleFilter filter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Sets the review verdict of every report with a hash. */
  bool addReviewStatusRule(1: string reportHash, 2: ReviewStatus status, 3: string message)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Comments of a report. */
  list<CommentData> getComments(1: i64 reportId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of comments of a report. */
  i64 getCommentCount(1: i64 reportId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Adds a comment to a report. */
  bool addComment(1: i64 reportId, 2: CommentData comment)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Replaces the text of a comment. */
  bool updateComment(1: i64 commentId, 2: string newMessage)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a comment. */
  bool removeComment(1: i64 commentId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Documentation of a checker. */
  string getCheckerDoc(1: string checkerId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Labels of each given checker, in order. */
  list<list<string>> getCheckerLabels(1: list<Checker> checkers)

  /** Rules of the given guidelines. */
  map<string, list<Rule>> getGuidelineRules(1: list<Guideline> guidelines)

  /** Version string of the server package. */
  string getPackageVersion()

  /** Deletes the given runs. */
  bool removeRunResults(1: list<i64> runIds)

  /** Deletes matching reports of runs. */
  bool removeRunReports(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a run, or the runs matching a filter. */
  bool removeRun(1: i64 runId, 2: RunFilter runFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Renames a run. */
  bool updateRunData(1: i64 runId, 2: string newRunName)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Location of the server-side suppress file. */
  string getSuppressFile()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per severity. */
  map<Severity, i64> getSeverityCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per checker message. */
  map<string, i64> getCheckerMsgCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per report status. */
  map<ReportStatus, i64> getReportStatusCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per review status. */
  map<ReviewStatus, i64> getReviewStatusCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per detection status. */
  map<DetectionStatus, i64> getDetectionStatusCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per file. */
  map<string, i64> getFileCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Report counts per file and checker. */
  map<string, map<string, i64>> getFileCountsSummary(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per checker. */
  list<CheckerCount> getCheckerCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Checker enablement across runs, per checker id. */
  map<i64, CheckerStatusVerificationDetail> getCheckerStatusVerificationDetails(1: list<i64> runIds, 2: ReportFilter reportFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per run tag. */
  list<RunTagCount> getRunHistoryTagCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of matching reports per analyzer. */
  map<string, i64> getAnalyzerNameCounts(1: list<i64> runIds, 2: ReportFilter reportFilter, 3: CompareData cmpData, 4: i64 limit, 5: i64 offset)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Creates or replaces a source component. */
  bool addSourceComponent(1: string name, 2: string value, 3: string description)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Source components matching name patterns. */
  list<SourceComponentData> getSourceComponents(1: list<string> sourceComponentFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a source component. */
  bool removeSourceComponent(1: string name)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Which of the given file content hashes the server lacks. */
  list<string> getMissingContentHashes(1: list<string> fileHashes)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Which of the given file hashes lack blame information. */
  list<string> getMissingContentHashesForBlameInfo(1: list<string> fileHashes)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Stores a base64 zip of analysis results as a run; returns the run id. */
  i64 massStoreRun(1: string runName, 2: string tag, 3: string version, 4: string zipfile, 5: bool force, 6: list<string> trimPathPrefixes, 7: string description)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Queues a store of a base64 zip; returns a task token. */
  string massStoreRunAsynchronous(1: string zipfileBlob, 2: SubmittedRunOptions storeOpts)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Whether the server accepts analysis statistics. */
  bool allowsStoringAnalysisStatistics()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Size limits for stored analysis data. */
  map<StoreLimitKind, i64> getAnalysisStatisticsLimits()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Stores a base64 zip of analysis statistics for a run. */
  bool storeAnalysisStatistics(1: string runName, 2: string zipfile)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Analyzer statistics of a run or run history entry. */
  map<string, AnalyzerStatistics> getAnalysisStatistics(1: i64 runId, 2: i64 runHistoryId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Comments and review verdicts of matching runs. */
  ExportData exportData(1: RunFilter runFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Loads comments and review verdicts produced by exportData. */
  bool importData(1: ExportData exportData)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Creates a cleanup plan; returns its id. */
  i64 addCleanupPlan(1: string name, 2: string description, 3: i64 dueDate)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Edits a cleanup plan. */
  bool updateCleanupPlan(1: i64 id, 2: string name, 3: string description, 4: i64 dueDate)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Cleanup plans matching a filter. */
  list<CleanupPlan> getCleanupPlans(1: CleanupPlanFilter filter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a cleanup plan. */
  bool removeCleanupPlan(1: i64 cleanupPlanId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Marks a cleanup plan closed. */
  bool closeCleanupPlan(1: i64 cleanupPlanId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Marks a cleanup plan open again. */
  bool reopenCleanupPlan(1: i64 cleanupPlanId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Adds report hashes to a cleanup plan. */
  bool setCleanupPlan(1: i64 cleanupPlanId, 2: list<string> reportHashes)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Removes report hashes from a cleanup plan. */
  bool unsetCleanupPlan(1: i64 cleanupPlanId, 2: list<string> reportHashes)
      throws (1: codechecker_api_shared.RequestFailed requestError)
}
