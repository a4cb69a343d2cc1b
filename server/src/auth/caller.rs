//! Who is asking: the identity a request carries, and the permission checks
//! made on it.

use configdb::auth::PermissionQuery;
use configdb::ConfigDb;

use super::permission::{Permission, Scope};

/// The credential a logged-in caller presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A login session, by the hash of its token.
    Session {
        /// The session's key.
        token_hash: String,
    },
    /// A personal access token used directly as a bearer token.
    AccessToken {
        /// The token's id.
        id: i64,
    },
}

#[derive(Debug, Clone)]
enum Kind {
    /// Authentication is off: everyone may do everything.
    Unrestricted,
    /// Authentication is on and no valid credential came with the request.
    Guest,
    /// A logged-in user.
    User {
        groups: Vec<String>,
        /// The configured master superuser.
        root: bool,
        credential: Credential,
        db: ConfigDb,
    },
}

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's name; `None` when not logged in (and always with
    /// authentication off).
    pub username: Option<String>,
    kind: Kind,
}

impl Caller {
    /// The caller of a server with authentication off: holds every permission.
    pub fn anonymous() -> Self {
        Self {
            username: None,
            kind: Kind::Unrestricted,
        }
    }

    /// A caller without a valid session on a server with authentication on.
    pub fn guest() -> Self {
        Self {
            username: None,
            kind: Kind::Guest,
        }
    }

    /// A logged-in user.
    pub fn user(
        db: ConfigDb,
        name: String,
        groups: Vec<String>,
        root: bool,
        credential: Credential,
    ) -> Self {
        Self {
            username: Some(name),
            kind: Kind::User {
                groups,
                root,
                credential,
                db,
            },
        }
    }

    /// Whether the server requires authentication.
    pub fn auth_enabled(&self) -> bool {
        !matches!(self.kind, Kind::Unrestricted)
    }

    /// Whether the caller is logged in.
    pub fn is_logged_in(&self) -> bool {
        matches!(self.kind, Kind::User { .. })
    }

    /// The user's groups (empty when not logged in).
    pub fn groups(&self) -> &[String] {
        match &self.kind {
            Kind::User { groups, .. } => groups,
            _ => &[],
        }
    }

    /// The credential the caller presented, when logged in.
    pub fn credential(&self) -> Option<&Credential> {
        match &self.kind {
            Kind::User { credential, .. } => Some(credential),
            _ => None,
        }
    }

    /// Whether the caller holds `permission` (on `product`, for a product
    /// permission), directly or through one implying it.
    pub fn has(&self, permission: Permission, product: Option<i64>) -> configdb::Result<bool> {
        self.has_any(&[permission], product)
    }

    /// Whether the caller holds any of `permissions` (on `product`).
    pub fn has_any(
        &self,
        permissions: &[Permission],
        product: Option<i64>,
    ) -> configdb::Result<bool> {
        let (name, groups, root, db) = match &self.kind {
            Kind::Unrestricted => return Ok(true),
            Kind::Guest => return Ok(false),
            Kind::User {
                groups, root, db, ..
            } => (
                self.username.as_deref().unwrap_or_default(),
                groups,
                *root,
                db,
            ),
        };
        let mut system = Vec::new();
        let mut per_product = Vec::new();
        for wanted in permissions {
            for p in wanted.granted_by() {
                let list = match p.scope() {
                    Scope::System => &mut system,
                    Scope::Product => &mut per_product,
                };
                if !list.contains(&p.name()) {
                    list.push(p.name());
                }
            }
        }
        if root && system.contains(&Permission::Superuser.name()) {
            return Ok(true);
        }
        db.holds_permission(&PermissionQuery {
            system: &system,
            product: &per_product,
            product_id: product,
            user: name,
            groups,
        })
    }

    /// Whether the caller may grant and revoke `permission` (on `product`).
    pub fn may_manage(
        &self,
        permission: Permission,
        product: Option<i64>,
    ) -> configdb::Result<bool> {
        self.has_any(permission.managed_by(), product)
    }
}
