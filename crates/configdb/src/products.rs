//! The product registry.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

use crate::clock::{from_micros, opt_from_micros, to_micros};
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::products::{self, dsl as p};

/// CodeChecker's default maximum number of reports per store.
pub const DEFAULT_REPORT_LIMIT: i64 = 500_000;

/// A stored product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Primary key.
    pub id: i64,
    /// URL path component (`/<endpoint>/v6.74/…`), unique.
    pub endpoint: String,
    /// Human readable name.
    pub display_name: String,
    /// Free-text description.
    pub description: Option<String>,
    /// Connection string of the product's own run database.
    pub connection: String,
    /// Maximum number of runs, if limited.
    pub run_limit: Option<i64>,
    /// Maximum number of reports per store.
    pub report_limit: i64,
    /// Whether review status changes are disabled on the UI.
    pub review_status_change_disabled: bool,
    /// Confidentiality classification (free text, as CodeChecker stores it).
    pub confidentiality: Option<String>,
    /// Cached number of runs.
    pub run_count: i64,
    /// Cached time of the latest store.
    pub latest_store_at: Option<DateTime<Utc>>,
    /// When the product was added.
    pub created_at: DateTime<Utc>,
}

/// The editable fields of a product, for [`ConfigDb::add_product`] and
/// [`ConfigDb::update_product`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSpec {
    /// URL path component, unique, non-empty.
    pub endpoint: String,
    /// Human readable name.
    pub display_name: String,
    /// Free-text description.
    pub description: Option<String>,
    /// Connection string of the product's run database.
    pub connection: String,
    /// Maximum number of runs.
    pub run_limit: Option<i64>,
    /// Maximum number of reports per store.
    pub report_limit: i64,
    /// Disable review status changes on the UI.
    pub review_status_change_disabled: bool,
    /// Confidentiality classification.
    pub confidentiality: Option<String>,
}

impl ProductSpec {
    /// A product named after its endpoint, with CodeChecker's defaults.
    pub fn new(endpoint: impl Into<String>, connection: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        Self {
            display_name: endpoint.clone(),
            endpoint,
            description: None,
            connection: connection.into(),
            run_limit: None,
            report_limit: DEFAULT_REPORT_LIMIT,
            review_status_change_disabled: false,
            confidentiality: None,
        }
    }

    fn validate(&self) -> Result<()> {
        if self.endpoint.is_empty() {
            return Err(Error::InvalidArgument("product endpoint is empty".into()));
        }
        Ok(())
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = products)]
struct ProductRow {
    id: i64,
    endpoint: String,
    display_name: String,
    description: Option<String>,
    connection: String,
    run_limit: Option<i64>,
    report_limit: i64,
    is_review_status_change_disabled: bool,
    confidentiality: Option<String>,
    run_count: i64,
    latest_store_at_us: Option<i64>,
    created_at_us: i64,
}

impl TryFrom<ProductRow> for Product {
    type Error = Error;

    fn try_from(r: ProductRow) -> Result<Self> {
        Ok(Product {
            id: r.id,
            endpoint: r.endpoint,
            display_name: r.display_name,
            description: r.description,
            connection: r.connection,
            run_limit: r.run_limit,
            report_limit: r.report_limit,
            review_status_change_disabled: r.is_review_status_change_disabled,
            confidentiality: r.confidentiality,
            run_count: r.run_count,
            latest_store_at: opt_from_micros(r.latest_store_at_us)?,
            created_at: from_micros(r.created_at_us)?,
        })
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = products, treat_none_as_null = true)]
struct ProductChanges<'a> {
    endpoint: &'a str,
    display_name: &'a str,
    description: Option<&'a str>,
    connection: &'a str,
    run_limit: Option<i64>,
    report_limit: i64,
    is_review_status_change_disabled: bool,
    confidentiality: Option<&'a str>,
}

impl<'a> From<&'a ProductSpec> for ProductChanges<'a> {
    fn from(s: &'a ProductSpec) -> Self {
        Self {
            endpoint: &s.endpoint,
            display_name: &s.display_name,
            description: s.description.as_deref(),
            connection: &s.connection,
            run_limit: s.run_limit,
            report_limit: s.report_limit,
            is_review_status_change_disabled: s.review_status_change_disabled,
            confidentiality: s.confidentiality.as_deref(),
        }
    }
}

/// Maps a unique violation to [`Error::DuplicateEndpoint`].
fn endpoint_conflict(endpoint: &str) -> impl FnOnce(diesel::result::Error) -> Error + '_ {
    move |e| match e {
        diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            Error::DuplicateEndpoint(endpoint.to_owned())
        }
        other => Error::Query(other),
    }
}

fn product_not_found(id: i64) -> Error {
    Error::NotFound {
        what: "product",
        key: id.to_string(),
    }
}

impl ConfigDb {
    /// All products, by id.
    pub fn list_products(&self) -> Result<Vec<Product>> {
        let rows = p::products
            .order(p::id.asc())
            .select(ProductRow::as_select())
            .load(&mut *self.conn()?)?;
        rows.into_iter().map(Product::try_from).collect()
    }

    /// The product with `id`, if any.
    pub fn get_product(&self, id: i64) -> Result<Option<Product>> {
        p::products
            .find(id)
            .select(ProductRow::as_select())
            .get_result(&mut *self.conn()?)
            .optional()?
            .map(Product::try_from)
            .transpose()
    }

    /// The product served at `endpoint`, if any (exact, case-sensitive).
    pub fn get_product_by_endpoint(&self, endpoint: &str) -> Result<Option<Product>> {
        p::products
            .filter(p::endpoint.eq(endpoint))
            .select(ProductRow::as_select())
            // The endpoint is unique: `get_result`, not `first`, whose bound
            // LIMIT makes SQLite plan the statement again on every call.
            .get_result(&mut *self.conn()?)
            .optional()?
            .map(Product::try_from)
            .transpose()
    }

    /// Adds a product; [`Error::DuplicateEndpoint`] if the endpoint is taken.
    pub fn add_product(&self, spec: &ProductSpec) -> Result<Product> {
        spec.validate()?;
        let now = to_micros(self.now());
        self.write(|conn, _| {
            diesel::insert_into(p::products)
                .values((ProductChanges::from(spec), p::created_at_us.eq(now)))
                .execute(conn)
                .map_err(endpoint_conflict(&spec.endpoint))?;
            let row = p::products
                .filter(p::endpoint.eq(&spec.endpoint))
                .select(ProductRow::as_select())
                .first(conn)?;
            Product::try_from(row)
        })
    }

    /// Replaces the editable fields of product `id`.
    pub fn update_product(&self, id: i64, spec: &ProductSpec) -> Result<Product> {
        spec.validate()?;
        self.write(|conn, _| {
            let n = diesel::update(p::products.find(id))
                .set(ProductChanges::from(spec))
                .execute(conn)
                .map_err(endpoint_conflict(&spec.endpoint))?;
            if n == 0 {
                return Err(product_not_found(id));
            }
            let row = p::products
                .find(id)
                .select(ProductRow::as_select())
                .first(conn)?;
            Product::try_from(row)
        })
    }

    /// Removes product `id` and, by cascade, its tasks.
    pub fn remove_product(&self, id: i64) -> Result<()> {
        let n = diesel::delete(p::products.find(id)).execute(&mut *self.conn()?)?;
        if n == 0 {
            return Err(product_not_found(id));
        }
        Ok(())
    }

    /// Returns the product at `endpoint`, creating it first if it does not
    /// exist. Safe to race from several processes. The flag tells whether this
    /// call created it.
    pub fn ensure_product(
        &self,
        endpoint: &str,
        display_name: &str,
        connection: &str,
    ) -> Result<(Product, bool)> {
        if let Some(existing) = self.get_product_by_endpoint(endpoint)? {
            return Ok((existing, false));
        }
        let mut spec = ProductSpec::new(endpoint, connection);
        spec.display_name = display_name.to_owned();
        match self.add_product(&spec) {
            Ok(created) => Ok((created, true)),
            Err(Error::DuplicateEndpoint(_)) => self
                .get_product_by_endpoint(endpoint)?
                .map(|p| (p, false))
                .ok_or_else(|| Error::NotFound {
                    what: "product",
                    key: endpoint.to_owned(),
                }),
            Err(e) => Err(e),
        }
    }

    /// Updates the cached run count and latest store time of product `id`.
    pub fn update_product_stats(
        &self,
        id: i64,
        run_count: i64,
        latest_store_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let n = diesel::update(p::products.find(id))
            .set((
                p::run_count.eq(run_count),
                p::latest_store_at_us.eq(latest_store_at.map(to_micros)),
            ))
            .execute(&mut *self.conn()?)?;
        if n == 0 {
            return Err(product_not_found(id));
        }
        Ok(())
    }
}
