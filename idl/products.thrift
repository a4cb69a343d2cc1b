// CodeChecker-compatible Thrift API, version 6.74.
// Listing and administering the products (separate result databases) of a server.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.ProductManagement_v6

/** Classification of a product's data. */
enum Confidentiality {
  CONFIDENTIAL = 0,
  INTERNAL = 1,
  OPEN = 2,
}

/** Orderings for product listings. */
enum ProductSortMode {
  ACCESSRIGHT = 0,
  NAMES_ASC = 1,
  NAMES_DESC = 2,
  RUNS_ASC = 3,
  RUNS_DESC = 4,
  LATEST_STORE_ASC = 5,
  LATEST_STORE_DESC = 6,
}

/** Where a product database lives (credentials base64 encoded). */
struct DatabaseConnection {
  1: optional string engine,
  2: optional string host,
  3: optional i32    port,
  4: optional string username_b64,
  5: optional string password_b64,
  6: optional string database,
}

/** Editable settings of a product (texts base64 encoded). */
struct ProductConfiguration {
  1: optional i64                id,
  2: optional string             endpoint,
  3: optional string             displayedName_b64,
  4: optional string             description_b64,
  5: optional DatabaseConnection connection,
  6: optional i64                runLimit,
  7: optional bool               isReviewStatusChangeDisabled,
  8: optional Confidentiality    confidentiality,
  9: optional i64                reportLimit,
}

/** A product as listed to a user, with status and access flags. */
struct Product {
   1: optional i64                             id,
   2: optional string                          endpoint,
   3: optional string                          displayedName_b64,
   4: optional string                          description_b64,
   5: optional bool                            connected,
   6: optional bool                            accessible,
   7: optional bool                            administrating,
   8: optional codechecker_api_shared.DBStatus databaseStatus,
   9: optional i64                             runCount,
  10: optional string                          latestStoreToProduct,
  11: optional i64                             runLimit,
  12: optional list<string>                    admins,
  13: optional list<string>                    runStoreInProgress,
  14: optional Confidentiality                 confidentiality,
  15: optional i64                             reportLimit,
}

/** Product management endpoint (served under "Products", also per product). */
service codeCheckerProductService {
  /** Version string of the server package. */
  string getPackageVersion()

  /** Whether the caller administers at least one product. */
  bool isAdministratorOfAnyProduct()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Products matching the filters, paged and sorted. */
  list<Product> getProducts(1: string productEndpointFilter, 2: string productNameFilter, 3: i64 limit, 4: i64 offset, 5: ProductSortMode sortingMode)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** The product whose endpoint the request was sent to. */
  Product getCurrentProduct()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Number of products matching the filters. */
  i64 getProductCount(1: string productEndpointFilter, 2: string productNameFilter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Full configuration of one product. */
  ProductConfiguration getProductConfiguration(1: i64 productId)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Registers a new product. */
  bool addProduct(1: ProductConfiguration product)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Replaces a product's configuration. */
  bool editProduct(1: i64 productId, 2: ProductConfiguration newConfiguration)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Unregisters a product. */
  bool removeProduct(1: i64 productId)
      throws (1: codechecker_api_shared.RequestFailed requestError)
}
