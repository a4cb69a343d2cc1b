//! `Products`: the product registry, server-wide (`/v6.x/Products`) and seen
//! from one product (`/<endpoint>/v6.x/Products`).

use std::sync::Arc;

use base64::Engine as _;
use codechecker_api::codechecker_api_shared::{DBStatus, ErrorCode};
use codechecker_api::products::{
    CodeCheckerProductServiceSyncHandler, Confidentiality, DatabaseConnection, Product,
    ProductConfiguration, ProductSortMode,
};

use super::errors::{database, general, missing_argument, request_failed};
use super::report::convert::py_datetime;
use super::PACKAGE_VERSION;
use crate::auth::{Caller, Permission};
use crate::products::connection::{
    create_postgres_database, is_valid_postgres_name, sqlite_path_below_workspace,
};
use crate::products::is_valid_product_endpoint;
use crate::products::{registry, ProductConnection};
use crate::state::ServerState;

/// Handler of the `Products` service for one request.
pub struct ProductsHandler {
    state: Arc<ServerState>,
    /// The product the request came through, if it came through one.
    current: Option<configdb::Product>,
    /// Who is asking.
    caller: Caller,
}

impl ProductsHandler {
    /// A handler for a request routed through `current` (or the main endpoint).
    pub fn new(
        state: Arc<ServerState>,
        current: Option<configdb::Product>,
        caller: Caller,
    ) -> Self {
        Self {
            state,
            current,
            caller,
        }
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Maps CodeChecker's stored confidentiality names onto the wire enum.
fn confidentiality(stored: Option<&str>) -> Confidentiality {
    match stored.map(str::to_ascii_uppercase).as_deref() {
        Some("INTERNAL") => Confidentiality::INTERNAL,
        Some("OPEN") => Confidentiality::OPEN,
        _ => Confidentiality::CONFIDENTIAL,
    }
}

/// The wire form of a stored product, as listed to a user with full access;
/// `status` is its database's status.
pub fn product_info(product: &configdb::Product, status: DBStatus) -> Product {
    Product {
        id: Some(product.id),
        endpoint: Some(product.endpoint.clone()),
        displayed_name_b64: Some(b64(&product.display_name)),
        description_b64: product.description.as_deref().map(b64),
        connected: Some(status == DBStatus::OK),
        accessible: Some(true),
        administrating: Some(true),
        database_status: Some(status),
        run_count: Some(product.run_count),
        latest_store_to_product: product.latest_store_at.map(py_datetime),
        run_limit: None,
        admins: Some(Vec::new()),
        run_store_in_progress: None,
        confidentiality: Some(confidentiality(product.confidentiality.as_deref())),
        report_limit: Some(product.report_limit),
    }
}

/// CodeChecker's stored name of a confidentiality.
fn confidentiality_name(value: Option<Confidentiality>) -> Option<String> {
    Some(
        match value? {
            Confidentiality::CONFIDENTIAL => "CONFIDENTIAL",
            Confidentiality::INTERNAL => "INTERNAL",
            Confidentiality::OPEN => "OPEN",
            _ => return None,
        }
        .to_owned(),
    )
}

fn from_b64(text: &str) -> thrift::Result<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| general(format!("'{text}' is not valid base64.")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn db_error(message: impl Into<String>) -> thrift::Error {
    request_failed(ErrorCode::DATABASE, message)
}

/// CodeChecker's product filter: the whole name matches case-insensitively,
/// `*` standing for any run of characters (SQL `ILIKE` with `*` as `%`).
fn matches_filter(value: &str, filter: Option<&str>) -> bool {
    match filter.filter(|f| !f.is_empty()) {
        None => true,
        Some(filter) => glob_match(&value.to_lowercase(), &filter.to_lowercase()),
    }
}

/// Anchored glob match where only `*` is special.
fn glob_match(text: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(pos) => rest = &rest[pos + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn sort_products(products: &mut [configdb::Product], mode: ProductSortMode) {
    match mode {
        ProductSortMode::NAMES_ASC => {
            products.sort_by_key(|p| (p.display_name.to_lowercase(), p.id));
        }
        ProductSortMode::NAMES_DESC => products.sort_by(|a, b| {
            b.display_name
                .to_lowercase()
                .cmp(&a.display_name.to_lowercase())
                .then(a.id.cmp(&b.id))
        }),
        ProductSortMode::RUNS_ASC => products.sort_by_key(|p| (p.run_count, p.id)),
        ProductSortMode::RUNS_DESC => {
            products.sort_by(|a, b| b.run_count.cmp(&a.run_count).then(a.id.cmp(&b.id)));
        }
        ProductSortMode::LATEST_STORE_ASC => {
            products.sort_by_key(|p| (p.latest_store_at.is_none(), p.latest_store_at, p.id));
        }
        ProductSortMode::LATEST_STORE_DESC => products.sort_by(|a, b| {
            (
                a.latest_store_at.is_none(),
                std::cmp::Reverse(a.latest_store_at),
                a.id,
            )
                .cmp(&(
                    b.latest_store_at.is_none(),
                    std::cmp::Reverse(b.latest_store_at),
                    b.id,
                ))
        }),
        // With every product accessible, the access-right order is the id order.
        _ => products.sort_by_key(|p| p.id),
    }
}

impl CodeCheckerProductServiceSyncHandler for ProductsHandler {
    fn handle_get_package_version(&self) -> thrift::Result<String> {
        Ok(PACKAGE_VERSION.to_owned())
    }

    fn handle_is_administrator_of_any_product(&self) -> thrift::Result<bool> {
        let products = self.state.config.list_products().map_err(database)?;
        super::product_rights::administers_any(&self.caller, &products)
    }

    fn handle_get_products(
        &self,
        product_endpoint_filter: Option<String>,
        product_name_filter: Option<String>,
        limit: Option<i64>,
        offset: Option<i64>,
        sorting_mode: Option<ProductSortMode>,
    ) -> thrift::Result<Vec<Product>> {
        let mut products = self.state.config.list_products().map_err(database)?;
        products.retain(|p| {
            matches_filter(&p.endpoint, product_endpoint_filter.as_deref())
                && matches_filter(&p.display_name, product_name_filter.as_deref())
        });
        sort_products(
            &mut products,
            sorting_mode.unwrap_or(ProductSortMode::ACCESSRIGHT),
        );
        let offset = usize::try_from(offset.unwrap_or(0)).unwrap_or(0);
        let limit = limit
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(usize::MAX);
        Ok(products
            .iter()
            .skip(offset)
            .take(limit)
            .map(|p| self.info(p))
            .collect())
    }

    fn handle_get_current_product(&self) -> thrift::Result<Product> {
        let Some(current) = &self.current else {
            return Err(request_failed(
                ErrorCode::IOERROR,
                "Requested current product from ProductService but the request came \
                 through the main endpoint.",
            ));
        };
        match self
            .state
            .config
            .get_product(current.id)
            .map_err(database)?
        {
            Some(product) => Ok(self.info(&product)),
            None => Err(request_failed(
                ErrorCode::IOERROR,
                "The product requested has been disconnected from the server.",
            )),
        }
    }

    fn handle_get_product_count(
        &self,
        product_endpoint_filter: Option<String>,
        product_name_filter: Option<String>,
    ) -> thrift::Result<i64> {
        let products = self.state.config.list_products().map_err(database)?;
        let count = products
            .iter()
            .filter(|p| {
                matches_filter(&p.endpoint, product_endpoint_filter.as_deref())
                    && matches_filter(&p.display_name, product_name_filter.as_deref())
            })
            .count();
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }

    fn handle_get_product_configuration(
        &self,
        product_id: Option<i64>,
    ) -> thrift::Result<ProductConfiguration> {
        let id = product_id.ok_or_else(|| missing_argument("productId"))?;
        let viewers = [Permission::ProductView, Permission::PermissionView];
        super::guard::require(&self.caller, &viewers, Some(id))?;
        let product = self.existing(id)?;
        let connection = ProductConnection::parse(&product.connection).map_err(db_error)?;
        let dbc = match &connection {
            ProductConnection::Sqlite { path } => {
                let ws = self.state.workspace.display().to_string();
                let relative = path
                    .strip_prefix(&format!("{}/", ws.trim_end_matches('/')))
                    .unwrap_or(path);
                DatabaseConnection {
                    engine: Some("sqlite".to_owned()),
                    host: Some(String::new()),
                    port: Some(0),
                    username_b64: Some(String::new()),
                    password_b64: None,
                    database: Some(relative.to_owned()),
                }
            }
            ProductConnection::Postgres {
                host,
                port,
                user,
                database,
                ..
            } => DatabaseConnection {
                engine: Some("postgresql".to_owned()),
                host: Some(host.clone()),
                port: Some(i32::from(*port)),
                username_b64: Some(b64(user)),
                password_b64: None,
                database: Some(database.clone()),
            },
        };
        Ok(ProductConfiguration {
            id: Some(product.id),
            endpoint: Some(product.endpoint.clone()),
            displayed_name_b64: Some(b64(&product.display_name)),
            description_b64: product.description.as_deref().map(b64),
            connection: Some(dbc),
            run_limit: product.run_limit,
            is_review_status_change_disabled: Some(product.review_status_change_disabled),
            confidentiality: Some(confidentiality(product.confidentiality.as_deref())),
            report_limit: Some(product.report_limit),
        })
    }

    fn handle_add_product(&self, product: Option<ProductConfiguration>) -> thrift::Result<bool> {
        super::guard::require_superuser(&self.caller)?;
        let config = product.ok_or_else(|| missing_argument("product"))?;
        let endpoint = config.endpoint.clone().unwrap_or_default();
        tracing::info!(%endpoint, "add product requested");
        if !is_valid_product_endpoint(&endpoint) {
            return Err(general("The specified endpoint is invalid."));
        }
        let dbc = config
            .connection
            .clone()
            .ok_or_else(|| general("Product cannot be added without a database configuration!"))?;
        let engine = dbc.engine.clone().unwrap_or_default();
        let database_name = dbc.database.clone().unwrap_or_default();
        if engine == "postgresql" && !is_valid_postgres_name(&database_name) {
            return Err(db_error(format!(
                "The specified PostgreSQL database name '{database_name}' contains characters \
                 that are not allowed (quotes, semicolons, whitespace, or control characters), \
                 or is empty, or exceeds PostgreSQL's 63-byte identifier limit."
            )));
        }
        if self
            .state
            .config
            .get_product_by_endpoint(&endpoint)
            .map_err(database)?
            .is_some()
        {
            return Err(general(format!(
                "A product endpoint '/{endpoint}' is already configured!"
            )));
        }
        let connection = self.connection_of(&dbc, None)?;
        let workspace = self.state.workspace.as_path();
        let products = self.state.config.list_products().map_err(database)?;
        let in_use = products.iter().any(|p| {
            ProductConnection::parse(&p.connection)
                .is_ok_and(|c| c.same_database(&connection, workspace))
        }) || connection
            .sqlite_file(workspace)
            .is_some_and(|f| f == workspace.join("config.sqlite"));
        if in_use {
            return Err(db_error("Database is already in use by another product!"));
        }
        if matches!(connection, ProductConnection::Postgres { .. }) {
            match create_postgres_database(&connection) {
                Ok(true) => tracing::info!(database = %database_name, "database created"),
                Ok(false) => {}
                Err(err) => tracing::warn!(%err, "cannot create the product database"),
            }
        }
        let url = registry::open_url(&connection, workspace);
        if let Err(err) = productdb::ProductDb::open_with(&url, registry::open_options()) {
            return Err(request_failed(
                ErrorCode::IOERROR,
                format!("The configured connection for '/{endpoint}' failed: {err}"),
            ));
        }
        let spec = self.spec(&config, endpoint, &connection)?;
        match self.state.config.add_product(&spec) {
            Ok(_) => Ok(true),
            Err(configdb::Error::DuplicateEndpoint(e)) => Err(general(format!(
                "A product endpoint '/{e}' is already configured!"
            ))),
            Err(err) => Err(database(err)),
        }
    }

    fn handle_edit_product(
        &self,
        product_id: Option<i64>,
        new_configuration: Option<ProductConfiguration>,
    ) -> thrift::Result<bool> {
        let id = product_id.ok_or_else(|| missing_argument("productId"))?;
        let product = self.existing(id)?;
        super::guard::require(&self.caller, &[Permission::ProductAdmin], Some(id))?;
        let config = new_configuration.ok_or_else(|| missing_argument("newConfiguration"))?;
        tracing::info!(endpoint = %product.endpoint, "edit product requested");
        let dbc = config
            .connection
            .clone()
            .ok_or_else(|| general("Product's database configuration cannot be removed!"))?;
        let endpoint = config.endpoint.clone().unwrap_or_default();
        if endpoint != product.endpoint {
            if !is_valid_product_endpoint(&endpoint) {
                return Err(general("The endpoint to move the product to is invalid."));
            }
            if self
                .state
                .config
                .get_product_by_endpoint(&endpoint)
                .map_err(database)?
                .is_some()
            {
                return Err(general(format!(
                    "A product endpoint '/{}' is already configured!",
                    product.endpoint
                )));
            }
        }
        let old = ProductConnection::parse(&product.connection).ok();
        let connection = self.connection_of(&dbc, old.as_ref())?;
        let connection_text = connection.to_config_string();
        if endpoint != product.endpoint || connection_text != product.connection {
            // Moving a product to another endpoint or database is for superusers.
            super::guard::require_superuser(&self.caller)?;
            let url = registry::open_url(&connection, &self.state.workspace);
            if let Err(err) = productdb::ProductDb::open_with(&url, registry::open_options()) {
                return Err(request_failed(
                    ErrorCode::IOERROR,
                    format!("The configured connection for '/{endpoint}' failed: {err}"),
                ));
            }
        }
        let spec = self.spec(&config, endpoint, &connection)?;
        match self.state.config.update_product(id, &spec) {
            Ok(_) => {
                self.state.products.forget(id);
                Ok(true)
            }
            Err(configdb::Error::DuplicateEndpoint(e)) => Err(general(format!(
                "A product endpoint '/{e}' is already configured!"
            ))),
            Err(err) => Err(database(err)),
        }
    }

    fn handle_remove_product(&self, product_id: Option<i64>) -> thrift::Result<bool> {
        super::guard::require_superuser(&self.caller)?;
        let id = product_id.ok_or_else(|| missing_argument("productId"))?;
        let product = self.existing(id)?;
        tracing::info!(endpoint = %product.endpoint, "remove product requested");
        self.state.config.remove_product(id).map_err(database)?;
        self.state.products.forget(id);
        Ok(true)
    }
}

impl ProductsHandler {
    fn info(&self, product: &configdb::Product) -> Product {
        let status = self.state.products.status(product);
        let mut info = product_info(product, DBStatus(status as i32));
        super::product_rights::annotate(&self.caller, &self.state, product.id, &mut info);
        info
    }

    fn existing(&self, id: i64) -> thrift::Result<configdb::Product> {
        self.state
            .config
            .get_product(id)
            .map_err(database)?
            .ok_or_else(|| db_error(format!("Product with ID {id} does not exist!")))
    }

    /// The connection a request describes; PostgreSQL keeps the old
    /// password when none is given.
    fn connection_of(
        &self,
        dbc: &DatabaseConnection,
        old: Option<&ProductConnection>,
    ) -> thrift::Result<ProductConnection> {
        let engine = dbc.engine.clone().unwrap_or_default();
        let database_name = dbc.database.clone().unwrap_or_default();
        match engine.as_str() {
            "sqlite" => {
                if let Some(ProductConnection::Sqlite { path }) = old {
                    if *path == database_name {
                        return Ok(ProductConnection::Sqlite { path: path.clone() });
                    }
                }
                let path = sqlite_path_below_workspace(&database_name).map_err(db_error)?;
                Ok(ProductConnection::Sqlite { path })
            }
            "postgresql" => {
                let user = match dbc.username_b64.as_deref().filter(|u| !u.is_empty()) {
                    Some(u) => from_b64(u)?,
                    None => "codechecker".to_owned(),
                };
                let password = match dbc.password_b64.as_deref().filter(|p| !p.is_empty()) {
                    Some(p) => Some(from_b64(p)?),
                    None => match old {
                        Some(ProductConnection::Postgres { password, .. }) => password.clone(),
                        _ => None,
                    },
                };
                let port = u16::try_from(dbc.port.unwrap_or(5432))
                    .map_err(|_| general("The PostgreSQL port is out of range."))?;
                Ok(ProductConnection::Postgres {
                    host: dbc.host.clone().unwrap_or_else(|| "localhost".to_owned()),
                    port,
                    user,
                    password,
                    database: database_name,
                })
            }
            other => Err(general(format!("Database engine '{other}' unknown!"))),
        }
    }

    /// The stored form of a requested configuration.
    fn spec(
        &self,
        config: &ProductConfiguration,
        endpoint: String,
        connection: &ProductConnection,
    ) -> thrift::Result<configdb::ProductSpec> {
        let mut spec = configdb::ProductSpec::new(endpoint.clone(), connection.to_config_string());
        spec.display_name = match config
            .displayed_name_b64
            .as_deref()
            .filter(|n| !n.is_empty())
        {
            Some(name) => from_b64(name)?,
            None => endpoint,
        };
        spec.description = match config.description_b64.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => Some(from_b64(d)?),
            None => None,
        };
        spec.run_limit = config.run_limit;
        spec.report_limit = config
            .report_limit
            .unwrap_or(configdb::DEFAULT_REPORT_LIMIT);
        spec.review_status_change_disabled =
            config.is_review_status_change_disabled.unwrap_or(false);
        spec.confidentiality = confidentiality_name(config.confidentiality);
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_case_insensitive_with_wildcards() {
        assert!(matches_filter("Default", None));
        assert!(matches_filter("Default", Some("")));
        assert!(matches_filter("Default", Some("default")));
        assert!(!matches_filter("Default", Some("def")));
        assert!(matches_filter("Default", Some("def*")));
        assert!(matches_filter("Default", Some("D*t")));
        assert!(matches_filter("Default", Some("*ult")));
        assert!(matches_filter("Default", Some("*")));
        assert!(matches_filter("abab", Some("a*b*b")));
        assert!(!matches_filter("Default", Some("x*")));
        assert!(!matches_filter("Default", Some("*x")));
        assert!(!matches_filter("ab", Some("a*b*b")));
    }
}
