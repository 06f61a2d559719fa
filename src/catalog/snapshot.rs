//! Schema snapshots: a [`Schema`] saved as JSON, so a plan can be computed against a saved
//! state instead of a live database.

use std::path::Path;

use super::CatalogError;
use crate::model::Schema;

/// Read a snapshot written by [`save_snapshot`] (`pgsyncer snapshot`).
pub fn load_snapshot(path: impl AsRef<Path>) -> Result<Schema, CatalogError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::SnapshotIo {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| CatalogError::SnapshotFormat {
        path: path.to_path_buf(),
        source,
    })
}

/// Write `schema` as pretty JSON (deterministic: the model's maps are ordered).
pub fn save_snapshot(schema: &Schema, path: impl AsRef<Path>) -> Result<(), CatalogError> {
    let path = path.as_ref();
    let mut text =
        serde_json::to_string_pretty(schema).map_err(|source| CatalogError::SnapshotFormat {
            path: path.to_path_buf(),
            source,
        })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|source| CatalogError::SnapshotIo {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn a_snapshot_round_trips() {
        let mut schema = Schema {
            server_version_num: 150004,
            ..Schema::default()
        };
        let t = QualifiedName::new("public", "Order");
        schema.enums.insert(
            QualifiedName::new("public", "mood"),
            EnumType {
                name: QualifiedName::new("public", "mood"),
                labels: vec!["sad".into(), "ok".into()],
            },
        );
        schema.comments.insert(
            ObjectId::Column(TableChild::new(t.clone(), "id")),
            "the key".into(),
        );
        schema.dependencies.push((
            ObjectId::View(QualifiedName::new("public", "v")),
            ObjectId::Table(t),
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.json");
        save_snapshot(&schema, &path).expect("save");
        assert_eq!(load_snapshot(&path).expect("load"), schema);
    }

    #[test]
    fn a_bad_snapshot_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.json");
        std::fs::write(&path, "{}").expect("write");
        let err = load_snapshot(&path).expect_err("must fail");
        assert!(err.to_string().contains("bad.json"), "{err}");
    }
}
