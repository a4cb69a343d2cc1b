//! CodeChecker's permissions: what each one implies and who may grant it.
//!
//! `SUPERUSER` and `PERMISSION_VIEW` are server-wide; the `PRODUCT_*` ones
//! apply to one product. A permission is held when it, or any permission it is
//! inherited from, is granted to the user or one of their groups. Every
//! permission is inherited from `SUPERUSER` and may be managed by it.

/// A permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Everything, everywhere.
    Superuser,
    /// May read every permission grant (and every product).
    PermissionView,
    /// Administers one product: its settings, permissions and tasks.
    ProductAdmin,
    /// May change review states and comments of one product.
    ProductAccess,
    /// May store to and remove runs of one product.
    ProductStore,
    /// May read one product's results.
    ProductView,
}

/// Where a permission applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole server.
    System,
    /// One product.
    Product,
}

use Permission::*;

impl Permission {
    /// Every permission, in the order of their wire values.
    pub const ALL: [Permission; 6] = [
        Superuser,
        PermissionView,
        ProductAdmin,
        ProductAccess,
        ProductStore,
        ProductView,
    ];

    /// The name stored and shown (`SUPERUSER`, `PRODUCT_ADMIN`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Superuser => "SUPERUSER",
            PermissionView => "PERMISSION_VIEW",
            ProductAdmin => "PRODUCT_ADMIN",
            ProductAccess => "PRODUCT_ACCESS",
            ProductStore => "PRODUCT_STORE",
            ProductView => "PRODUCT_VIEW",
        }
    }

    /// Where it applies.
    pub fn scope(self) -> Scope {
        match self {
            Superuser | PermissionView => Scope::System,
            _ => Scope::Product,
        }
    }

    /// The scope name the API uses (`SYSTEM`, `PRODUCT`).
    pub fn scope_name(self) -> &'static str {
        match self.scope() {
            Scope::System => "SYSTEM",
            Scope::Product => "PRODUCT",
        }
    }

    /// CodeChecker's number for the permission (the value of its
    /// `Permission` enum on the wire).
    pub fn code(self) -> i32 {
        match self {
            Superuser => 1,
            PermissionView => 2,
            ProductAdmin => 16,
            ProductAccess => 17,
            ProductStore => 18,
            ProductView => 19,
        }
    }

    /// The permission of a number, if it names one.
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The permissions whose holders hold this one too (not transitively).
    fn inherited_from(self) -> &'static [Permission] {
        match self {
            Superuser => &[],
            PermissionView | ProductAdmin => &[Superuser],
            ProductStore => &[Superuser, ProductAdmin],
            ProductAccess => &[Superuser, ProductAdmin, ProductStore],
            ProductView => &[Superuser, ProductAccess, ProductAdmin, ProductStore],
        }
    }

    /// This permission and every permission that implies it.
    pub fn granted_by(self) -> Vec<Permission> {
        let mut out = vec![self];
        let mut i = 0;
        while let Some(p) = out.get(i).copied() {
            for q in p.inherited_from() {
                if !out.contains(q) {
                    out.push(*q);
                }
            }
            i += 1;
        }
        out
    }

    /// The permissions any of which lets a user grant or revoke this one.
    pub fn managed_by(self) -> &'static [Permission] {
        match self {
            Superuser | PermissionView => &[Superuser],
            _ => &[Superuser, ProductAdmin],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implications_follow_codechecker() {
        let mut view = ProductView.granted_by();
        view.sort();
        assert_eq!(
            view,
            vec![
                Superuser,
                ProductAdmin,
                ProductAccess,
                ProductStore,
                ProductView
            ]
        );
        let mut access = ProductAccess.granted_by();
        access.sort();
        assert_eq!(
            access,
            vec![Superuser, ProductAdmin, ProductAccess, ProductStore]
        );
        assert_eq!(Superuser.granted_by(), vec![Superuser]);
        assert!(!ProductStore.granted_by().contains(&ProductAccess));
        assert!(!PermissionView.granted_by().contains(&ProductAdmin));
    }

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
        }
        assert_eq!(Permission::from_code(99), None);
        assert_eq!(ProductAdmin.code(), 16);
        assert_eq!(ProductView.scope_name(), "PRODUCT");
    }
}
