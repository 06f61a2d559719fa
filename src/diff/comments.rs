//! Comments: set where main's differs or the object is (re)created, removed where main
//! has none on an object both keep. Comments are on objects of every kind, so they are
//! compared here, once every kind's changes are known.

use super::{ChangeKind, Changes};
use crate::model::{ObjectId, Schema};

/// Comments: set where main's differs or the object is (re)created, removed where main has
/// none on an object both keep.
pub(super) fn comments(main: &Schema, standin: &Schema, changes: &mut Changes) {
    let created = changes.created();
    let dropped = changes.dropped();
    let fresh = |id: &ObjectId| {
        created.contains(id)
            || match id {
                // A column is new with its table.
                ObjectId::Column(c) => {
                    created.contains(&ObjectId::Table(c.parent.clone()))
                        || created.contains(&ObjectId::View(c.parent.clone()))
                        || created.contains(&ObjectId::MaterializedView(c.parent.clone()))
                        || created.contains(&ObjectId::Composite(c.parent.clone()))
                        || created.contains(&ObjectId::ForeignTable(c.parent.clone()))
                }
                _ => false,
            }
    };
    for (id, text) in &main.comments {
        if fresh(id) || standin.comments.get(id) != Some(text) {
            changes.push(id.clone(), ChangeKind::Comment(Some(text.clone())));
        }
    }
    for id in standin.comments.keys() {
        if main.comments.contains_key(id) || !main.contains(id) {
            continue;
        }
        let gone_with_drop = dropped.contains(id)
            || match id {
                ObjectId::Column(c) => {
                    dropped.contains(&ObjectId::Table(c.parent.clone()))
                        || dropped.contains(&ObjectId::View(c.parent.clone()))
                        || dropped.contains(&ObjectId::MaterializedView(c.parent.clone()))
                        || dropped.contains(&ObjectId::Composite(c.parent.clone()))
                        || dropped.contains(&ObjectId::ForeignTable(c.parent.clone()))
                }
                _ => false,
            };
        if !gone_with_drop {
            changes.push(id.clone(), ChangeKind::Comment(None));
        }
    }
}
