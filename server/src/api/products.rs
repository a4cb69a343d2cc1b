//! `Products`: the product registry, server-wide (`/v6.x/Products`) and seen
//! from one product (`/<endpoint>/v6.x/Products`).

use std::sync::Arc;

use base64::Engine as _;
use codechecker_api::codechecker_api_shared::{DBStatus, ErrorCode};
use codechecker_api::products::{
    CodeCheckerProductServiceSyncHandler, Confidentiality, Product, ProductConfiguration,
    ProductSortMode,
};

use super::errors::{database, not_implemented, request_failed};
use super::state::ServerState;
use super::PACKAGE_VERSION;

/// Handler of the `Products` service for one request.
pub struct ProductsHandler {
    state: Arc<ServerState>,
    /// The product the request came through, if it came through one.
    current: Option<configdb::Product>,
}

impl ProductsHandler {
    /// A handler for a request routed through `current` (or the main endpoint).
    pub fn new(state: Arc<ServerState>, current: Option<configdb::Product>) -> Self {
        Self { state, current }
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

/// The wire form of a stored product, as listed to a user with full access.
pub fn product_info(product: &configdb::Product) -> Product {
    Product {
        id: Some(product.id),
        endpoint: Some(product.endpoint.clone()),
        displayed_name_b64: Some(b64(&product.display_name)),
        description_b64: product.description.as_deref().map(b64),
        connected: Some(true),
        accessible: Some(true),
        administrating: Some(true),
        database_status: Some(DBStatus::OK),
        run_count: Some(product.run_count),
        latest_store_to_product: product
            .latest_store_at
            .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
        run_limit: None,
        admins: Some(Vec::new()),
        run_store_in_progress: None,
        confidentiality: Some(confidentiality(product.confidentiality.as_deref())),
        report_limit: Some(product.report_limit),
    }
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
        Ok(!products.is_empty())
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
            .map(product_info)
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
            Some(product) => Ok(product_info(&product)),
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
        _product_id: Option<i64>,
    ) -> thrift::Result<ProductConfiguration> {
        Err(not_implemented("getProductConfiguration"))
    }

    fn handle_add_product(&self, _product: Option<ProductConfiguration>) -> thrift::Result<bool> {
        Err(not_implemented("addProduct"))
    }

    fn handle_edit_product(
        &self,
        _product_id: Option<i64>,
        _new_configuration: Option<ProductConfiguration>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("editProduct"))
    }

    fn handle_remove_product(&self, _product_id: Option<i64>) -> thrift::Result<bool> {
        Err(not_implemented("removeProduct"))
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
