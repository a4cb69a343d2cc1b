//! `cmd serverside-tasks`: query, await and cancel background tasks, with
//! CodeChecker's output layout, JSON keys and exit codes.

use std::collections::HashMap;

use codechecker_api::codechecker_api_shared::Ternary;
use codechecker_api::products::TCodeCheckerProductServiceSyncClient;
use codechecker_api::tasks::{
    AdministratorTaskInfo, TCodeCheckerServersideTaskServiceSyncClient, TaskFilter, TaskInfo,
    TaskStatus,
};

use super::tasks_summary;
use crate::address::split_server_url;
use crate::await_task::{await_task_termination, status_name, AwaitError, AwaitOptions};
use crate::cli::{OutputFormat, TaskStatusArg, TasksArgs};
use crate::connection::{ConnectOptions, Connection};
use crate::error::ClientError;
use crate::pydict;
use crate::pyjson::{self, PyValue};
use crate::table;
use crate::timefmt::{format_epoch, utc_epoch};

fn status_of(arg: TaskStatusArg) -> TaskStatus {
    match arg {
        TaskStatusArg::Allocated => TaskStatus::ALLOCATED,
        TaskStatusArg::Enqueued => TaskStatus::ENQUEUED,
        TaskStatusArg::Running => TaskStatus::RUNNING,
        TaskStatusArg::Completed => TaskStatus::COMPLETED,
        TaskStatusArg::Failed => TaskStatus::FAILED,
        TaskStatusArg::Cancelled => TaskStatus::CANCELLED,
        TaskStatusArg::Dropped => TaskStatus::DROPPED,
    }
}

/// Product id → endpoint, filled lazily from the server.
struct ProductNames<'c> {
    conn: &'c Connection,
    by_id: HashMap<i64, String>,
    fetched_all: bool,
}

impl<'c> ProductNames<'c> {
    fn new(conn: &'c Connection) -> Self {
        ProductNames {
            conn,
            by_id: HashMap::new(),
            fetched_all: false,
        }
    }

    /// The id of the product with exactly this endpoint.
    fn id_of(&mut self, endpoint: &str) -> Result<Option<i64>, ClientError> {
        let products = self.conn.products(None).call("getProducts", |c| {
            c.get_products(Some(endpoint.to_owned()), None, None, None, None)
        })?;
        let found = products
            .into_iter()
            .find(|p| p.endpoint.as_deref() == Some(endpoint))
            .and_then(|p| p.id);
        if let Some(id) = found {
            self.by_id.insert(id, endpoint.to_owned());
        }
        Ok(found)
    }

    /// The endpoint of product `id`; `None` for server-wide tasks (id 0).
    fn endpoint_of(&mut self, id: Option<i64>) -> Result<Option<String>, ClientError> {
        let Some(id) = id.filter(|&i| i != 0) else {
            return Ok(None);
        };
        if !self.by_id.contains_key(&id) && !self.fetched_all {
            let products = self.conn.products(None).call("getProducts", |c| {
                c.get_products(None, None, None, None, None)
            })?;
            for p in products {
                if let (Some(pid), Some(ep)) = (p.id, p.endpoint) {
                    self.by_id.insert(pid, ep);
                }
            }
            self.fetched_all = true;
        }
        Ok(self.by_id.get(&id).cloned())
    }
}

fn build_filter(
    args: &TasksArgs,
    products: &mut ProductNames<'_>,
) -> Result<Option<Filter>, ClientError> {
    let mut f = TaskFilter::default();
    let mut used = false;
    let non_empty = |v: &Option<Vec<String>>| v.clone().filter(|v| !v.is_empty());
    if let Some(v) = non_empty(&args.machine_id) {
        f.machine_i_ds = Some(v);
        used = true;
    }
    if let Some(v) = non_empty(&args.kind) {
        f.kinds = Some(v);
        used = true;
    }
    if let Some(v) = args.status.as_ref().filter(|v| !v.is_empty()) {
        f.statuses = Some(v.iter().copied().map(status_of).collect());
        used = true;
    }
    if let Some(v) = non_empty(&args.username) {
        f.usernames = Some(v);
        used = true;
    } else if args.no_username {
        // The API's way of saying "no user": an empty list. (CodeChecker
        // 6.29.1's client sets a field the API does not have, so there the
        // flag filters nothing.)
        f.usernames = Some(Vec::new());
        used = true;
    }
    if let Some(endpoints) = non_empty(&args.product) {
        let mut ids = Vec::new();
        for endpoint in &endpoints {
            match products.id_of(endpoint)? {
                Some(id) => ids.push(id),
                None => tracing::warn!(
                    "No product with endpoint '{endpoint}', omitting it from the query."
                ),
            }
        }
        if ids.is_empty() {
            // An empty list would mean "server-wide tasks only".
            return Ok(Some(Filter::MatchesNothing));
        }
        f.product_i_ds = Some(ids);
        used = true;
    } else if args.no_product {
        // As for `--no-username`: an empty list means "no product".
        f.product_i_ds = Some(Vec::new());
        used = true;
    }
    let epoch = |t: &Option<chrono::NaiveDateTime>| t.as_ref().map(utc_epoch);
    let times = [
        (&mut f.enqueued_before_epoch, epoch(&args.enqueued_before)),
        (&mut f.enqueued_after_epoch, epoch(&args.enqueued_after)),
        (&mut f.started_before_epoch, epoch(&args.started_before)),
        (&mut f.started_after_epoch, epoch(&args.started_after)),
        (&mut f.completed_before_epoch, epoch(&args.finished_before)),
        (&mut f.completed_after_epoch, epoch(&args.finished_after)),
        (&mut f.heartbeat_before_epoch, epoch(&args.last_seen_before)),
        (&mut f.heartbeat_after_epoch, epoch(&args.last_seen_after)),
    ];
    for (slot, value) in times {
        if value.is_some() {
            *slot = value;
            used = true;
        }
    }
    if args.only_cancelled {
        f.cancel_flag = Some(Ternary::ON);
        used = true;
    } else if args.no_cancelled {
        f.cancel_flag = Some(Ternary::OFF);
        used = true;
    }
    if args.only_consumed {
        f.consumed_flag = Some(Ternary::ON);
        used = true;
    } else if args.no_consumed {
        f.consumed_flag = Some(Ternary::OFF);
        used = true;
    }
    Ok(used.then(|| Filter::Query(Box::new(f))))
}

/// What the filter flags ask for.
enum Filter {
    /// Send this to `getTasks`.
    Query(Box<TaskFilter>),
    /// Only unknown products were named: nothing can match.
    MatchesNothing,
}

/// A task as CodeChecker prints it: its flat dictionary (JSON output) and
/// the values of its table row.
struct TaskView {
    token: String,
    kind: String,
    summary: String,
    status: String,
    product: Option<String>,
    user: Option<String>,
    comments: Option<String>,
    enqueued: Option<String>,
    started: Option<String>,
    completed: Option<String>,
    heartbeat: Option<String>,
    cancelled: bool,
    machine_id: Option<String>,
    consumed: Option<bool>,
    /// Percent done, as servers that report it say (our extension).
    progress: Option<i32>,
}

impl TaskView {
    fn new(info: &TaskInfo, product: Option<String>) -> Self {
        TaskView {
            token: info.token.clone().unwrap_or_default(),
            kind: info.task_kind.clone().unwrap_or_default(),
            summary: info.summary.clone().unwrap_or_default(),
            status: status_name(info.status),
            product,
            user: info.actor_username.clone(),
            comments: info.comments.clone(),
            enqueued: format_epoch(info.enqueued_at_epoch),
            started: format_epoch(info.started_at_epoch),
            completed: format_epoch(info.completed_at_epoch),
            heartbeat: format_epoch(info.last_heartbeat_epoch),
            cancelled: info.cancel_flag_set.unwrap_or(false),
            machine_id: None,
            consumed: None,
            progress: info.progress,
        }
    }

    fn progress_text(&self) -> String {
        self.progress.map(|p| format!("{p}%")).unwrap_or_default()
    }

    /// The keys in the order CodeChecker's client emits them.
    fn to_json(&self, admin: bool, progress: bool) -> PyValue {
        let mut entries = Vec::new();
        if admin {
            entries.push((
                "machineId".to_owned(),
                PyValue::opt_str(self.machine_id.as_deref()),
            ));
            entries.push((
                "statusConsumed".to_owned(),
                PyValue::opt_bool(self.consumed),
            ));
        }
        let rest = pydict! {
            "token" => PyValue::Str(self.token.clone()),
            "taskKind" => PyValue::Str(self.kind.clone()),
            "actorUsername" => PyValue::opt_str(self.user.as_deref()),
            "summary" => PyValue::Str(self.summary.clone()),
            "comments" => PyValue::opt_str(self.comments.as_deref()),
            "cancelFlagSet" => PyValue::Bool(self.cancelled),
            "enqueuedAt" => PyValue::opt_str(self.enqueued.as_deref()),
            "startedAt" => PyValue::opt_str(self.started.as_deref()),
            "completedAt" => PyValue::opt_str(self.completed.as_deref()),
            "lastHeartbeat" => PyValue::opt_str(self.heartbeat.as_deref()),
            "status" => PyValue::Str(self.status.clone()),
            "productEndpoint" => PyValue::opt_str(self.product.as_deref()),
        };
        if let PyValue::Dict(rest) = rest {
            entries.extend(rest);
        }
        if progress {
            entries.push((
                "progress".to_owned(),
                PyValue::opt_int(self.progress.map(i64::from)),
            ));
        }
        PyValue::Dict(entries)
    }

    fn row(&self, admin: bool, progress: bool) -> Vec<String> {
        let o = |s: &Option<String>| s.clone().unwrap_or_default();
        let mut row = vec![self.token.clone()];
        if admin {
            row.push(o(&self.machine_id));
        }
        row.extend([
            self.kind.clone(),
            self.summary.clone(),
            self.status.clone(),
            o(&self.product),
            o(&self.user),
            o(&self.enqueued),
            o(&self.started),
            o(&self.heartbeat),
            o(&self.completed),
            if self.cancelled {
                "Yes".to_owned()
            } else {
                String::new()
            },
        ]);
        if progress {
            row.insert(if admin { 6 } else { 5 }, self.progress_text());
        }
        row
    }

    /// The detailed text shown for a single task in plaintext mode (ends
    /// with a newline).
    fn details(&self, progress: bool) -> String {
        let mut s = format!(
            "Task '{}':\n    - Type:         {}\n    - Summary:      {}\n    - Status:       {}\n",
            self.token, self.kind, self.summary, self.status
        );
        if progress {
            s.push_str(&format!("    - Progress:     {}\n", self.progress_text()));
        }
        s.push_str(&format!(
            "    - Product:      {}\n",
            self.product.as_deref().unwrap_or("None")
        ));
        if let Some(user) = self.user.as_deref().filter(|u| !u.is_empty()) {
            s.push_str(&format!("    - User:         {user}\n"));
        }
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        s.push_str(&format!(
            "    - Enqueued at:  {}\n    - Started at:   {}\n    - Last seen:    {}\n    - Completed at: {}\n",
            o(&self.enqueued),
            o(&self.started),
            o(&self.heartbeat),
            o(&self.completed)
        ));
        if self.cancelled {
            s.push_str("    - Cancelled by administrators!\n");
        }
        // CodeChecker prints this block with print(), adding a blank line.
        s.push('\n');
        if let Some(comments) = self.comments.as_deref().filter(|c| !c.is_empty()) {
            s.push_str(&format!("Comments on task '{}':\n\n", self.token));
            for line in comments.split('\n') {
                let verbatim = line.is_empty()
                    || line == "----------"
                    || (line.contains(" at ") && line.ends_with(':'));
                if verbatim {
                    s.push_str(line);
                } else {
                    s.push_str("> ");
                    s.push_str(line);
                }
                s.push('\n');
            }
        }
        s
    }
}

const ADMIN_HEADER: [&str; 12] = [
    "Token",
    "Machine",
    "Type",
    "Summary",
    "Status",
    "Product",
    "User",
    "Enqueued",
    "Started",
    "Last seen",
    "Completed",
    "Cancelled?",
];
const USER_HEADER: [&str; 11] = [
    "Token",
    "Type",
    "Summary",
    "Status",
    "Product",
    "User",
    "Enqueued",
    "Started",
    "Last seen",
    "Completed",
    "Cancelled by administrators?",
];

/// `header` with a "Progress" column after "Status" when `progress`.
fn header_of(header: &[&'static str], progress: bool) -> Vec<&'static str> {
    let mut out = header.to_vec();
    if progress {
        let at = out
            .iter()
            .position(|h| *h == "Status")
            .map_or(out.len(), |i| i + 1);
        out.insert(at, "Progress");
    }
    out
}

fn status_exit_code(status: &str) -> i32 {
    match status {
        "COMPLETED" => 0,
        "FAILED" => 4,
        "CANCELLED" | "DROPPED" => 16,
        _ => 8,
    }
}

/// `--summary`: the tasks the filters (or, without any, all tasks the
/// caller may list) summarised.
fn summary(
    conn: &Connection,
    args: &TasksArgs,
    filter: Option<Filter>,
    tokens: &[String],
) -> Result<i32, ClientError> {
    let mut query = match filter {
        Some(Filter::Query(query)) => Some(*query),
        // Only unknown products were named.
        Some(Filter::MatchesNothing) => None,
        None => Some(TaskFilter::default()),
    };
    if let Some(query) = query.as_mut().filter(|_| !tokens.is_empty()) {
        query.tokens = Some(tokens.to_vec());
    }
    let tasks: Vec<TaskInfo> = match query {
        Some(query) => conn
            .tasks()
            .call("getTasks", |c| c.get_tasks(Some(query.clone())))?
            .into_iter()
            .filter_map(|a| a.normal_info)
            .collect(),
        None => Vec::new(),
    };
    let now = chrono::Utc::now().timestamp();
    let summary = tasks_summary::summarise(&tasks, now);
    if args.output_format == OutputFormat::Json {
        println!("{}", pyjson::dumps(&summary.json()));
    } else {
        print!("{}", summary.text());
    }
    Ok(0)
}

/// Runs the command; returns the process exit code.
pub fn run(args: &TasksArgs) -> Result<i32, ClientError> {
    let server = split_server_url(&args.server_url)?;
    let conn = Connection::open(&server, &ConnectOptions::default())?;
    let mut tokens: Vec<String> = args.token.clone().unwrap_or_default();

    if let Some(dummy) = &args.dummy_task_args {
        if std::env::var_os("TEST_WORKSPACE").is_none() {
            return Err(ClientError::Usage(
                "'--create-dummy-task' needs the TEST_WORKSPACE environment variable".to_owned(),
            ));
        }
        let timeout: i32 = dummy
            .first()
            .and_then(|t| t.trim().parse().ok())
            .ok_or_else(|| {
                ClientError::Usage("the dummy task's TIMEOUT must be a number".to_owned())
            })?;
        let fail = dummy
            .get(1)
            .is_some_and(|f| ["y", "yes", "true", "1", "on"].contains(&f.to_lowercase().as_str()));
        let token = conn.tasks().call("createDummyTask", |c| {
            c.create_dummy_task(Some(timeout), Some(fail))
        })?;
        tracing::info!("Dummy task created with token '{token}'.");
        tokens.push(token);
    }

    let mut products = ProductNames::new(&conn);
    let mut rc = 0;
    let filter = build_filter(args, &mut products)?;
    if args.summary {
        return summary(&conn, args, filter, &tokens);
    }
    let affected: Vec<String>;
    if let Some(filter) = filter {
        let infos: Vec<AdministratorTaskInfo> = match filter {
            Filter::Query(mut filter) => {
                filter.tokens =
                    (!tokens.is_empty() || args.token.is_some()).then(|| tokens.clone());
                conn.tasks()
                    .call("getTasks", |c| c.get_tasks(Some((*filter).clone())))?
            }
            Filter::MatchesNothing => Vec::new(),
        };
        let mut views = Vec::with_capacity(infos.len());
        for ati in &infos {
            let normal = ati.normal_info.clone().unwrap_or_default();
            let product = products.endpoint_of(normal.product_id)?;
            let mut view = TaskView::new(&normal, product);
            view.machine_id = ati.machine_id.clone();
            view.consumed = ati.status_consumed;
            views.push(view);
        }
        affected = views.iter().map(|v| v.token.clone()).collect();
        if args.output_format == OutputFormat::Json {
            println!(
                "{}",
                pyjson::dumps(&PyValue::List(
                    views
                        .iter()
                        .map(|v| v.to_json(true, args.show_progress))
                        .collect()
                ))
            );
        } else {
            let rows = views
                .iter()
                .map(|v| v.row(true, args.show_progress))
                .collect();
            let header = header_of(&ADMIN_HEADER, args.show_progress);
            println!("{}", table::with_header(&header, rows));
        }
    } else {
        if tokens.is_empty() {
            tracing::error!(
                "ERROR! To use 'CodeChecker cmd serverside-tasks', a '--token' list or some other \
                 filter criteria **MUST** be specified!"
            );
            return Err(ClientError::Exit(2));
        }
        let mut views = Vec::with_capacity(tokens.len());
        for token in &tokens {
            let info = conn
                .tasks()
                .call("getTaskInfo", |c| c.get_task_info(Some(token.clone())))?;
            let product = products.endpoint_of(info.product_id)?;
            views.push(TaskView::new(&info, product));
        }
        affected = tokens.clone();
        if let [only] = views.as_slice() {
            rc = status_exit_code(&only.status);
        }
        match (args.output_format, views.as_slice()) {
            (OutputFormat::Json, _) => {
                println!(
                    "{}",
                    pyjson::dumps(&PyValue::List(
                        views
                            .iter()
                            .map(|v| v.to_json(false, args.show_progress))
                            .collect()
                    ))
                );
            }
            (OutputFormat::Plaintext, [only]) => print!("{}", only.details(args.show_progress)),
            _ => {
                let rows = views
                    .iter()
                    .map(|v| v.row(false, args.show_progress))
                    .collect();
                let header = header_of(&USER_HEADER, args.show_progress);
                println!("{}", table::with_header(&header, rows));
            }
        }
    }

    if args.cancel_task {
        for token in &affected {
            let cancelled = conn
                .tasks()
                .call("cancelTask", |c| c.cancel_task(Some(token.clone())))?;
            if cancelled {
                tracing::info!("Submitted cancellation request for task '{token}'.");
            } else {
                tracing::debug!("Task '{token}' had already been cancelled.");
            }
        }
    }

    if args.wait_and_block {
        rc = 0;
        for token in &affected {
            tracing::info!("Awaiting the completion of task '{token}' ...");
            let mut api = conn.tasks();
            let info = match await_task_termination(&mut api, token, &AwaitOptions::default()) {
                Ok(info) => info,
                Err(AwaitError::Call(e)) => return Err(e),
                Err(e @ AwaitError::NoProgress { .. }) => {
                    return Err(ClientError::Failed(e.to_string()))
                }
            };
            let status = status_name(info.status);
            if status == "COMPLETED" || (args.cancel_task && status == "CANCELLED") {
                tracing::info!("Task '{token}' terminated in status: {status}.");
            } else {
                tracing::error!("Task '{token}' error status: {status}!");
                rc = 1;
            }
        }
    }
    Ok(rc)
}
