//! Owners and privileges (`--owners`, `--privileges`): compared once every kind's changes
//! are known, like comments, for every object main and the standin both end up with.
//!
//! Privileges are compared as effective ACLs (`aclexplode`, the default ACL where the
//! catalog holds none), so a plan revokes what main lacks as well as granting what it has.
//! The owner's own privileges are compared as the owner's, whoever owns the object on each
//! side; other roles are compared by name after `--role-map`. An object this plan creates
//! starts with the default ACL of its kind (what main's would hold with no GRANT).

use std::collections::{BTreeMap, BTreeSet};

use super::{ChangeKind, Changes};
use crate::model::{Grant, Grantee, ObjectId, Schema};

/// What `--owners`, `--privileges` and `--role-map` select.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessOptions {
    /// `--privileges`: GRANT and REVOKE until the standin's ACLs equal main's.
    pub privileges: bool,
    /// `--owners`: `ALTER … OWNER TO` main's owner.
    pub owners: bool,
    /// `--role-map main=standin`: main's role names as the standin knows them.
    pub role_map: BTreeMap<String, String>,
}

impl AccessOptions {
    /// Whether either flag asks for anything.
    pub fn any(&self) -> bool {
        self.privileges || self.owners
    }

    /// Main's role `name` as it is called on the standin.
    pub fn standin_role<'a>(&'a self, name: &'a str) -> &'a str {
        self.role_map.get(name).map_or(name, String::as_str)
    }
}

/// One privilege to grant or revoke.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PrivilegeChange {
    pub action: PrivilegeAction,
    /// The standin's role, `PUBLIC`, or `CURRENT_USER` for the owner of an object this plan
    /// creates (whoever applies the plan).
    pub grantee: RoleSpec,
    pub privilege: String,
}

/// The grantee of a GRANT or REVOKE.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleSpec {
    Public,
    CurrentUser,
    Role(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrivilegeAction {
    Grant,
    /// `GRANT … WITH GRANT OPTION` (also on a privilege already held without it).
    GrantWithOption,
    /// `REVOKE GRANT OPTION FOR`: the privilege stays, the right to grant it goes.
    RevokeGrantOption,
    Revoke,
}

/// Push owner and privilege changes for every object of main that the standin keeps or
/// this plan creates.
pub(super) fn access(
    main: &Schema,
    standin: &Schema,
    options: &AccessOptions,
    changes: &mut Changes,
) {
    if !options.any() {
        return;
    }
    let created = changes.created();
    let dropped = changes.dropped();
    for (id, m) in &main.access {
        let fresh = created.contains(id) || column_of(id, &created);
        if !fresh && (!standin.contains(id) || dropped.contains(id) || column_of(id, &dropped)) {
            // Not on the standin after this plan (out of scope, or its create failed to
            // be planned): nothing to own or grant.
            continue;
        }
        let current = if fresh { None } else { standin.access.get(id) };
        let is_column = matches!(id, ObjectId::Column(_));
        let wanted_owner = options.standin_role(&m.owner);
        if options.owners && !is_column && current.is_none_or(|s| s.owner != wanted_owner) {
            changes.push(id.clone(), ChangeKind::Owner(wanted_owner.to_string()));
        }
        if !options.privileges {
            continue;
        }
        // Who the owner is on the standin once this plan ran.
        let owner = if options.owners {
            RoleSpec::Role(wanted_owner.to_string())
        } else {
            match current {
                Some(s) => RoleSpec::Role(s.owner.clone()),
                None if fresh => RoleSpec::CurrentUser,
                // A column without grants of its own: its table's owner.
                None => match id {
                    ObjectId::Column(c) => standin
                        .access
                        .iter()
                        .find(|(k, _)| k.is_relation_named(&c.parent))
                        .map_or(RoleSpec::CurrentUser, |(_, s)| {
                            RoleSpec::Role(s.owner.clone())
                        }),
                    _ => RoleSpec::CurrentUser,
                },
            }
        };
        let want = by_grantee(&m.privileges, Some(options));
        let have = match current {
            Some(s) => by_grantee(&s.privileges, None),
            None if fresh => by_grantee(&m.defaults, Some(options)),
            None => BTreeMap::new(),
        };
        let steps = privilege_changes(&want, &have, &owner);
        if !steps.is_empty() {
            changes.push(id.clone(), ChangeKind::Privileges(steps));
        }
    }
}

/// For a dump: the owner change and the GRANTs and REVOKEs that give a newly created
/// object (holding its kind's default privileges, owned by whoever loads the dump) the
/// owner and privileges `access` describes.
pub fn from_defaults(
    access: &crate::model::Access,
    options: &AccessOptions,
) -> (Option<String>, Vec<PrivilegeChange>) {
    let owner_name = options.standin_role(&access.owner).to_string();
    let owner = options.owners.then_some(owner_name);
    if !options.privileges {
        return (owner, Vec::new());
    }
    let spec = owner.clone().map_or(RoleSpec::CurrentUser, RoleSpec::Role);
    let want = by_grantee(&access.privileges, Some(options));
    let have = by_grantee(&access.defaults, Some(options));
    (owner, privilege_changes(&want, &have, &spec))
}

/// `(grantee, privilege) → grantable`; main's role names mapped to the standin's when
/// `main_names` gives the mapping.
fn by_grantee(
    grants: &BTreeSet<Grant>,
    main_names: Option<&AccessOptions>,
) -> BTreeMap<(Grantee, String), bool> {
    grants
        .iter()
        .map(|g| {
            let grantee = match (&g.grantee, main_names) {
                (Grantee::Role(r), Some(o)) => Grantee::Role(o.standin_role(r).to_string()),
                (other, _) => other.clone(),
            };
            ((grantee, g.privilege.clone()), g.grantable)
        })
        .collect()
}

/// The GRANTs and REVOKEs that turn `have` into `want`.
fn privilege_changes(
    want: &BTreeMap<(Grantee, String), bool>,
    have: &BTreeMap<(Grantee, String), bool>,
    owner: &RoleSpec,
) -> Vec<PrivilegeChange> {
    let spec = |g: &Grantee| match g {
        Grantee::Owner => owner.clone(),
        Grantee::Public => RoleSpec::Public,
        Grantee::Role(r) => RoleSpec::Role(r.clone()),
    };
    let mut out = Vec::new();
    for (key @ (grantee, privilege), &grantable) in want {
        let action = match (have.get(key), grantable) {
            (None, false) => PrivilegeAction::Grant,
            (None | Some(false), true) => PrivilegeAction::GrantWithOption,
            (Some(true), false) => PrivilegeAction::RevokeGrantOption,
            (Some(_), _) => continue,
        };
        out.push(PrivilegeChange {
            action,
            grantee: spec(grantee),
            privilege: privilege.clone(),
        });
    }
    for (grantee, privilege) in have.keys().filter(|k| !want.contains_key(*k)) {
        out.push(PrivilegeChange {
            action: PrivilegeAction::Revoke,
            grantee: spec(grantee),
            privilege: privilege.clone(),
        });
    }
    out.sort();
    out
}

/// One `ALTER DEFAULT PRIVILEGES` entry to change on the standin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPrivilegeChange {
    /// `FOR ROLE`, the standin's name.
    pub role: String,
    /// `IN SCHEMA`, or the whole database.
    pub schema: Option<String>,
    /// `pg_default_acl.defaclobjtype` (`r`, `S`, `f`, `T`, `n`).
    pub object_type: String,
    /// Revokes first, then grants (a privilege whose grant option changes is revoked and
    /// granted again).
    pub changes: Vec<PrivilegeChange>,
}

/// With `--privileges`: what makes the standin's default privileges main's, entry by entry
/// (role, schema, kind of object). An entry is compared as what it adds to and removes
/// from the built-in defaults, which both sides share. Entries in schemas main lacks are
/// left to the schema's drop.
pub fn default_privileges(
    main: &Schema,
    standin: &Schema,
    options: &AccessOptions,
) -> Vec<DefaultPrivilegeChange> {
    if !options.privileges {
        return Vec::new();
    }
    type Key = (String, Option<String>, String);
    type Deviation = (BTreeSet<Grant>, BTreeSet<Grant>);
    let map_grant = |g: &Grant| Grant {
        grantee: match &g.grantee {
            Grantee::Role(r) => Grantee::Role(options.standin_role(r).to_string()),
            other => other.clone(),
        },
        ..g.clone()
    };
    let mut want: BTreeMap<Key, Deviation> = BTreeMap::new();
    for d in &main.default_privileges {
        let key = (
            options.standin_role(&d.role).to_string(),
            d.schema.clone(),
            d.object_type.clone(),
        );
        let added = d.added.iter().map(map_grant).collect();
        let removed = d.removed.iter().map(map_grant).collect();
        want.insert(key, (added, removed));
    }
    let have: BTreeMap<Key, Deviation> = standin
        .default_privileges
        .iter()
        .map(|d| {
            let key = (d.role.clone(), d.schema.clone(), d.object_type.clone());
            (key, (d.added.clone(), d.removed.clone()))
        })
        .collect();
    let empty = (BTreeSet::new(), BTreeSet::new());
    let keys: BTreeSet<&Key> = want.keys().chain(have.keys()).collect();
    let mut out = Vec::new();
    for key @ (role, schema, object_type) in keys {
        if schema
            .as_ref()
            .is_some_and(|s| !main.namespaces.contains_key(s))
        {
            continue;
        }
        let (added_w, removed_w) = want.get(key).unwrap_or(&empty);
        let (added_h, removed_h) = have.get(key).unwrap_or(&empty);
        let spec = |g: &Grant| match &g.grantee {
            Grantee::Owner => RoleSpec::Role(role.clone()),
            Grantee::Public => RoleSpec::Public,
            Grantee::Role(r) => RoleSpec::Role(r.clone()),
        };
        let mut changes: Vec<PrivilegeChange> = added_h
            .difference(added_w)
            .chain(removed_w.difference(removed_h))
            .map(|g| PrivilegeChange {
                action: PrivilegeAction::Revoke,
                grantee: spec(g),
                privilege: g.privilege.clone(),
            })
            .collect();
        changes.sort();
        let mut grants: Vec<PrivilegeChange> = added_w
            .difference(added_h)
            .chain(removed_h.difference(removed_w))
            .map(|g| PrivilegeChange {
                action: match g.grantable {
                    true => PrivilegeAction::GrantWithOption,
                    false => PrivilegeAction::Grant,
                },
                grantee: spec(g),
                privilege: g.privilege.clone(),
            })
            .collect();
        grants.sort();
        changes.extend(grants);
        if !changes.is_empty() {
            out.push(DefaultPrivilegeChange {
                role: role.clone(),
                schema: schema.clone(),
                object_type: object_type.clone(),
                changes,
            });
        }
    }
    out
}

/// Whether `id` is a column of a relation in `ids`.
fn column_of(id: &ObjectId, ids: &BTreeSet<ObjectId>) -> bool {
    let ObjectId::Column(c) = id else {
        return false;
    };
    ids.iter().any(|other| other.is_relation_named(&c.parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(list: &[(Grantee, &str, bool)]) -> BTreeMap<(Grantee, String), bool> {
        list.iter()
            .map(|(g, p, o)| ((g.clone(), p.to_string()), *o))
            .collect()
    }

    #[test]
    fn grants_revokes_and_grant_options_turn_have_into_want() {
        let bob = Grantee::Role("bob".into());
        let want = grants(&[
            (Grantee::Owner, "SELECT", false),
            (bob.clone(), "SELECT", true),
            (Grantee::Public, "USAGE", false),
        ]);
        let have = grants(&[
            (Grantee::Owner, "SELECT", true),
            (bob.clone(), "SELECT", false),
            (bob.clone(), "DELETE", false),
        ]);
        let owner = RoleSpec::Role("alice".into());
        let got = privilege_changes(&want, &have, &owner);
        let expect = |action, grantee, privilege: &str| PrivilegeChange {
            action,
            grantee,
            privilege: privilege.into(),
        };
        assert_eq!(
            got,
            vec![
                expect(PrivilegeAction::Grant, RoleSpec::Public, "USAGE"),
                expect(
                    PrivilegeAction::GrantWithOption,
                    RoleSpec::Role("bob".into()),
                    "SELECT"
                ),
                expect(PrivilegeAction::RevokeGrantOption, owner.clone(), "SELECT"),
                expect(
                    PrivilegeAction::Revoke,
                    RoleSpec::Role("bob".into()),
                    "DELETE"
                ),
            ]
        );
        assert!(privilege_changes(&want, &want, &owner).is_empty());
    }
}
