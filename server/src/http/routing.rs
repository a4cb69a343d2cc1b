//! Maps a POST path to the Thrift service it addresses, with CodeChecker's rules.
//!
//! A Thrift request goes to `/v<major>.<minor>/<Service>` (server-wide services) or
//! `/<product-endpoint>/v<major>.<minor>/<Service>` (services bound to a product).
//! A version is accepted when its major version is known and its minor version is
//! at most the newest minor this build speaks (any `6.x` with `x <= 74`).

/// The newest minor version of API major version 6 that this server speaks.
pub const NEWEST_MINOR_V6: u32 = 74;

/// Path segments that can never name a product.
const RESERVED_SEGMENTS: &[&str] = &[
    "index.html",
    "images",
    "docs",
    "live",
    "ready",
    "Authentication",
    "Products",
    "CodeCheckerService",
    "Tasks",
];

/// A POST path that names a supported API version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// The product endpoint the request came through, if any.
    pub product: Option<String>,
    /// The API version the client speaks, as `(major, minor)`.
    pub version: (u32, u32),
    /// The service name: `Authentication`, `Products`, `CodeCheckerService`, ….
    pub service: String,
}

/// Why a POST path was not routed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The path has no recognisable shape, or names an unsupported API version.
    /// CodeChecker answers both with the same message.
    #[error("Invalid request endpoint path.")]
    InvalidPath,
}

/// Whether `segment` may be a product endpoint (letters, digits, `_` and `-`,
/// and not one of the reserved words).
pub fn is_valid_product_endpoint(segment: &str) -> bool {
    !segment.is_empty()
        && !RESERVED_SEGMENTS.contains(&segment)
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `segment` may be a service name (letters and digits): anything
/// else cannot name one of CodeChecker's services.
pub fn is_service_name(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Parses `v6.74` (or `6.74`, or `v6.74.1`: a revision is ignored) into a
/// supported `(major, minor)` pair.
pub fn supported_version(tag: &str) -> Option<(u32, u32)> {
    let tag = tag.trim_start_matches('v');
    let mut parts = tag.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    (major == 6 && minor <= NEWEST_MINOR_V6).then_some((major, minor))
}

/// Splits a request path (query string allowed) into its route.
pub fn route_post(path: &str) -> Result<ApiRoute, RouteError> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rest = path.strip_prefix('/').ok_or(RouteError::InvalidPath)?;
    let segments: Vec<&str> = rest.splitn(3, '/').collect();
    match segments.as_slice() {
        [product, version, service]
            if is_valid_product_endpoint(product) && is_service_name(service) =>
        {
            let version = supported_version(version).ok_or(RouteError::InvalidPath)?;
            Ok(ApiRoute {
                product: Some((*product).to_owned()),
                version,
                service: (*service).to_owned(),
            })
        }
        [version, service] if version.starts_with('v') && is_service_name(service) => {
            let version = supported_version(version).ok_or(RouteError::InvalidPath)?;
            Ok(ApiRoute {
                product: None,
                version,
                service: (*service).to_owned(),
            })
        }
        _ => Err(RouteError::InvalidPath),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn server_wide_services() {
        let r = route_post("/v6.74/Tasks").unwrap();
        assert_eq!(r.product, None);
        assert_eq!(r.version, (6, 74));
        assert_eq!(r.service, "Tasks");
        assert_eq!(route_post("/v6.58/Products").unwrap().version, (6, 58));
        assert_eq!(
            route_post("/v6.0/ServerInfo").unwrap().service,
            "ServerInfo"
        );
    }

    #[test]
    fn product_services() {
        let r = route_post("/Default/v6.74/CodeCheckerService").unwrap();
        assert_eq!(r.product.as_deref(), Some("Default"));
        assert_eq!(r.service, "CodeCheckerService");
        let r = route_post("/my-prod_2/v6.58/Products?x=1").unwrap();
        assert_eq!(r.product.as_deref(), Some("my-prod_2"));
    }

    #[test]
    fn unsupported_versions_and_shapes() {
        for bad in [
            "/v6.75/Tasks",
            "/v7.0/Tasks",
            "/v5.1/Tasks",
            "/vx.y/Tasks",
            "/v6/Tasks",
            "/Default/v6.99/CodeCheckerService",
            "/Default/6.x/CodeCheckerService",
            "/",
            "",
            "/Tasks",
            "/bad.name/v6.74/CodeCheckerService",
            "/Products/v6.74/CodeCheckerService",
            "/v6.74/",
            "/v6.74/Tasks/",
            "/Default/v6.74/Code/CheckerService",
            "/Default/v6.74/../Tasks",
        ] {
            assert_eq!(route_post(bad), Err(RouteError::InvalidPath), "{bad}");
        }
    }

    const DICT: &[&[u8]] = &[
        b"/",
        b"//",
        b"v",
        b"6",
        b".",
        b"74",
        b"75",
        b"v6.74",
        b"v6.0",
        b"v7.0",
        b"v6.74.1",
        b"Default",
        b"Tasks",
        b"Products",
        b"CodeCheckerService",
        b"..",
        b"%2e",
        b"?",
        b"#",
        b"-",
        b"_",
        b"\\",
        b"\xc3\xa9",
        b"\0",
        b" ",
        b"4294967296",
    ];

    /// Paths shaped like API paths, right or wrong.
    fn paths() -> BoxedStrategy<Vec<u8>> {
        let segment = prop::sample::select(
            &[
                "",
                "Default",
                "my-prod_2",
                "v6.74",
                "v6.0",
                "v6.75",
                "v7.0",
                "6.74",
                "v6.74.1",
                "v6.-1",
                "..",
                ".",
                "%2e%2e",
                "Tasks",
                "CodeCheckerService",
                "Products",
                "index.html",
                "a.b",
                "\u{e9}",
                "x?y=1",
                "#f",
                "v6.74?x",
            ][..],
        );
        (any::<bool>(), prop::collection::vec(segment, 0..5))
            .prop_map(|(slash, parts)| {
                let joined = parts.join("/");
                if slash { format!("/{joined}") } else { joined }.into_bytes()
            })
            .boxed()
    }

    /// Whatever the path, a route names a valid product, a supported
    /// version and a service name, all taken from the path itself.
    #[test]
    fn fuzz_routing() {
        use crate::fuzz_harness as harness;
        let input = harness::inputs("routing", paths(), DICT);
        harness::fuzz("routing", input, |input| {
            let path = String::from_utf8_lossy(&input.bytes);
            let Ok(route) = route_post(&path) else {
                return Ok(());
            };
            let bare = path.split(['?', '#']).next().unwrap_or_default();
            let (major, minor) = route.version;
            if major != 6 || minor > NEWEST_MINOR_V6 {
                return Err(format!("{path:?}: version {major}.{minor}"));
            }
            if !is_service_name(&route.service) || !bare.ends_with(&format!("/{}", route.service)) {
                return Err(format!("{path:?}: service {:?}", route.service));
            }
            let expected_segments = if route.product.is_some() { 3 } else { 2 };
            if bare.split('/').count() != expected_segments + 1 {
                return Err(format!(
                    "{path:?}: routed with the wrong number of segments"
                ));
            }
            if let Some(product) = &route.product {
                if !is_valid_product_endpoint(product) || !bare.starts_with(&format!("/{product}/"))
                {
                    return Err(format!("{path:?}: product {product:?}"));
                }
            }
            Ok(())
        });
    }

    #[test]
    fn version_tags() {
        assert_eq!(supported_version("v6.74"), Some((6, 74)));
        assert_eq!(supported_version("6.74.3"), Some((6, 74)));
        assert_eq!(supported_version("v6.-1"), None);
        assert_eq!(supported_version("v6.4294967296"), None);
    }
}
