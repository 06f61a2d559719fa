//! Text search parsers, templates, dictionaries and configurations. Parsers and templates
//! (made of existing C functions, superuser only) are rebuilt when anything differs, as is
//! a dictionary whose template or a configuration whose parser differs; a dictionary's
//! options and a configuration's token mappings are altered in place.

use indexmap::IndexMap;

use super::{diff_whole, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{
    ObjectId, QualifiedName, Schema, TsConfig, TsDictionary, TsMapping, TsParser, TsTemplate,
};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{self, ident};

pub(crate) struct TextSearch;

/// Build after functions (their functions) and before tables and indexes (which name
/// configurations); `pg_depend` orders them among themselves.
const RANK: u8 = 11;

impl Kind for TextSearch {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(
            id,
            ObjectId::TsParser(_)
                | ObjectId::TsTemplate(_)
                | ObjectId::TsDictionary(_)
                | ObjectId::TsConfig(_)
        )
    }

    fn queries(&self) -> &'static [Query] {
        &[
            catalog_query!("ts_parsers"),
            catalog_query!("ts_templates"),
            catalog_query!("ts_dictionaries"),
            catalog_query!("ts_configs"),
        ]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [parsers, templates, dictionaries, configs] = rows_of::<4>(rows)?;
        load_parsers(parsers, schema, oids)?;
        load_templates(templates, schema, oids)?;
        load_dictionaries(dictionaries, schema, oids)?;
        load_configs(configs, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        match id {
            ObjectId::TsParser(q) => schema.ts_parsers.get(q).map(parser).into_iter().collect(),
            ObjectId::TsTemplate(q) => schema
                .ts_templates
                .get(q)
                .map(template)
                .into_iter()
                .collect(),
            ObjectId::TsDictionary(q) => schema
                .ts_dictionaries
                .get(q)
                .map(dictionary)
                .into_iter()
                .collect(),
            ObjectId::TsConfig(q) => schema.ts_configs.get(q).map(config).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// With functions (what parsers and templates are made of): before tables, whose
    /// defaults, generated columns and indexes name configurations.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.ts_parsers,
            ObjectId::TsParser,
        );
        diff_whole(
            main,
            standin,
            changes,
            |s| &s.ts_templates,
            ObjectId::TsTemplate,
        );
        for (name, m) in &main.ts_dictionaries {
            let id = ObjectId::TsDictionary(name.clone());
            match standin.ts_dictionaries.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.template != m.template => changes.recreate(id),
                Some(s) if s.options != m.options => {
                    changes.push(id, ChangeKind::TsDictionaryOptions)
                }
                Some(_) => {}
            }
        }
        super::extras(
            &main.ts_dictionaries,
            &standin.ts_dictionaries,
            changes,
            ObjectId::TsDictionary,
        );
        for (name, m) in &main.ts_configs {
            let id = ObjectId::TsConfig(name.clone());
            match standin.ts_configs.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.parser != m.parser => changes.recreate(id),
                Some(s) if s.mappings != m.mappings => {
                    changes.push(id, ChangeKind::TsConfigMappings)
                }
                Some(_) => {}
            }
        }
        super::extras(
            &main.ts_configs,
            &standin.ts_configs,
            changes,
            ObjectId::TsConfig,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::TsParser(q)
            | ObjectId::TsTemplate(q)
            | ObjectId::TsDictionary(q)
            | ObjectId::TsConfig(q) => format!("DROP {} {}", id.kind_sql(), q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let sqls = match (id, &change.kind) {
            (ObjectId::TsDictionary(q), ChangeKind::TsDictionaryOptions) => {
                match (
                    ctx.standin.ts_dictionaries.get(q),
                    ctx.main.ts_dictionaries.get(q),
                ) {
                    (Some(s), Some(m)) => dictionary_options(s, m).into_iter().collect(),
                    _ => Vec::new(),
                }
            }
            (ObjectId::TsConfig(q), ChangeKind::TsConfigMappings) => {
                match (ctx.standin.ts_configs.get(q), ctx.main.ts_configs.get(q)) {
                    (Some(s), Some(m)) => mapping_changes(s, m),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        for sql in sqls {
            ctx.build(id, RANK, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }
}

// Reading: catalog rows into the model.

fn load_parsers(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_ts_parser",
            r.get("oid")?,
            ObjectId::TsParser(name.clone()),
        );
        schema.ts_parsers.insert(
            name.clone(),
            TsParser {
                name,
                start: r.qname("start_schema", "start_name")?,
                token: r.qname("token_schema", "token_name")?,
                end: r.qname("end_schema", "end_name")?,
                headline: r.opt_qname("headline_schema", "headline_name")?,
                lextypes: r.qname("lextypes_schema", "lextypes_name")?,
            },
        );
    }
    Ok(())
}

fn load_templates(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_ts_template",
            r.get("oid")?,
            ObjectId::TsTemplate(name.clone()),
        );
        schema.ts_templates.insert(
            name.clone(),
            TsTemplate {
                name,
                init: r.opt_qname("init_schema", "init_name")?,
                lexize: r.qname("lexize_schema", "lexize_name")?,
            },
        );
    }
    Ok(())
}

fn load_dictionaries(
    rows: &Rows,
    schema: &mut Schema,
    oids: &mut OidMap,
) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_ts_dict",
            r.get("oid")?,
            ObjectId::TsDictionary(name.clone()),
        );
        let text: Option<String> = r.get("options")?;
        let text = text.unwrap_or_default();
        let options = TsDictionary::parse_options(&text).ok_or_else(|| {
            r.bad(format!(
                "dictionary {}: options not in the server's form: {}",
                quote::inert(&name.to_string()),
                quote::inert(&text)
            ))
        })?;
        schema.ts_dictionaries.insert(
            name.clone(),
            TsDictionary {
                name,
                template: r.qname("template_schema", "template_name")?,
                options,
            },
        );
    }
    Ok(())
}

fn load_configs(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert(
            "pg_ts_config",
            r.get("oid")?,
            ObjectId::TsConfig(name.clone()),
        );
        schema.ts_configs.insert(
            name.clone(),
            TsConfig {
                name,
                parser: r.qname("parser_schema", "parser_name")?,
                mappings: r.json("mappings")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

fn parser(p: &TsParser) -> String {
    let mut parts = vec![
        format!("START = {}", p.start.sql()),
        format!("GETTOKEN = {}", p.token.sql()),
        format!("END = {}", p.end.sql()),
        format!("LEXTYPES = {}", p.lextypes.sql()),
    ];
    if let Some(h) = &p.headline {
        parts.push(format!("HEADLINE = {}", h.sql()));
    }
    format!(
        "CREATE TEXT SEARCH PARSER {} ({})",
        p.name.sql(),
        parts.join(", ")
    )
}

fn template(t: &TsTemplate) -> String {
    let mut parts = Vec::new();
    if let Some(i) = &t.init {
        parts.push(format!("INIT = {}", i.sql()));
    }
    parts.push(format!("LEXIZE = {}", t.lexize.sql()));
    format!(
        "CREATE TEXT SEARCH TEMPLATE {} ({})",
        t.name.sql(),
        parts.join(", ")
    )
}

fn dictionary(d: &TsDictionary) -> String {
    let mut parts = vec![format!("TEMPLATE = {}", d.template.sql())];
    parts.extend(
        d.options
            .iter()
            .map(|o| format!("{} = {}", o.name, o.value)),
    );
    format!(
        "CREATE TEXT SEARCH DICTIONARY {} ({})",
        d.name.sql(),
        parts.join(", ")
    )
}

/// `CREATE` with the parser (and no mappings), then one `ADD MAPPING` per token type.
fn config(c: &TsConfig) -> Vec<String> {
    let mut out = vec![format!(
        "CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {})",
        c.name.sql(),
        c.parser.sql()
    )];
    out.extend(
        c.mappings
            .iter()
            .map(|m| mapping_sql(&c.name, "ADD", &m.token, &m.dictionaries)),
    );
    out
}

fn mapping_sql(
    config: &QualifiedName,
    verb: &str,
    token: &str,
    dictionaries: &[QualifiedName],
) -> String {
    let dicts: Vec<String> = dictionaries.iter().map(QualifiedName::sql).collect();
    format!(
        "ALTER TEXT SEARCH CONFIGURATION {} {verb} MAPPING FOR {} WITH {}",
        config.sql(),
        ident(token),
        dicts.join(", ")
    )
}

/// One `ALTER TEXT SEARCH DICTIONARY` that leaves the standin's options equal to main's,
/// in main's order: options main lacks are named without a value (removed), then all of
/// main's are set (the server removes an option it is given and appends it again, so the
/// list ends in the order given). `None` when nothing differs.
fn dictionary_options(standin: &TsDictionary, main: &TsDictionary) -> Option<String> {
    if standin.options == main.options {
        return None;
    }
    let mut parts: Vec<String> = standin
        .options
        .iter()
        .filter(|s| !main.options.iter().any(|m| m.name == s.name))
        .map(|s| s.name.clone())
        .collect();
    parts.extend(
        main.options
            .iter()
            .map(|o| format!("{} = {}", o.name, o.value)),
    );
    Some(format!(
        "ALTER TEXT SEARCH DICTIONARY {} ({})",
        main.name.sql(),
        parts.join(", ")
    ))
}

/// `ADD`, `ALTER` and `DROP MAPPING` statements that turn the standin's mappings into
/// main's, in main's token order, then the drops in the standin's.
fn mapping_changes(standin: &TsConfig, main: &TsConfig) -> Vec<String> {
    let by_token = |c: &TsConfig| -> IndexMap<String, Vec<QualifiedName>> {
        c.mappings
            .iter()
            .map(
                |TsMapping {
                     token,
                     dictionaries,
                 }| (token.clone(), dictionaries.clone()),
            )
            .collect()
    };
    let (s, m) = (by_token(standin), by_token(main));
    let mut out = Vec::new();
    for (token, dicts) in &m {
        match s.get(token) {
            None => out.push(mapping_sql(&main.name, "ADD", token, dicts)),
            Some(d) if d != dicts => out.push(mapping_sql(&main.name, "ALTER", token, dicts)),
            Some(_) => {}
        }
    }
    for token in s.keys().filter(|t| !m.contains_key(*t)) {
        out.push(format!(
            "ALTER TEXT SEARCH CONFIGURATION {} DROP MAPPING FOR {}",
            main.name.sql(),
            ident(token)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TsOption;

    fn q(name: &str) -> QualifiedName {
        QualifiedName::new("public", name)
    }

    fn opt(name: &str, value: &str) -> TsOption {
        TsOption {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn dictionary_options_end_in_mains_order() {
        let dict = |options| TsDictionary {
            name: q("d"),
            template: QualifiedName::new("pg_catalog", "simple"),
            options,
        };
        let s = dict(vec![
            opt("accept", "'false'"),
            opt("stopwords", "'english'"),
        ]);
        let m = dict(vec![opt("accept", "'true'")]);
        assert_eq!(
            dictionary_options(&s, &m).as_deref(),
            Some("ALTER TEXT SEARCH DICTIONARY public.d (stopwords, accept = 'true')")
        );
        assert_eq!(dictionary_options(&m, &m), None);
        assert_eq!(
            dictionary(&s),
            "CREATE TEXT SEARCH DICTIONARY public.d (TEMPLATE = pg_catalog.simple, accept = 'false', stopwords = 'english')"
        );
    }

    #[test]
    fn mappings_are_added_altered_and_dropped() {
        let cfg = |mappings: Vec<(&str, Vec<&str>)>| TsConfig {
            name: q("Cfg"),
            parser: QualifiedName::new("pg_catalog", "default"),
            mappings: mappings
                .into_iter()
                .map(|(t, ds)| TsMapping {
                    token: t.into(),
                    dictionaries: ds.into_iter().map(q).collect(),
                })
                .collect(),
        };
        let s = cfg(vec![("asciiword", vec!["a"]), ("word", vec!["a", "b"])]);
        let m = cfg(vec![
            ("asciiword", vec!["a"]),
            ("word", vec!["b"]),
            ("int", vec!["a"]),
        ]);
        assert_eq!(
            mapping_changes(&s, &m),
            vec![
                "ALTER TEXT SEARCH CONFIGURATION public.\"Cfg\" ALTER MAPPING FOR word WITH public.b",
                "ALTER TEXT SEARCH CONFIGURATION public.\"Cfg\" ADD MAPPING FOR \"int\" WITH public.a",
            ]
        );
        assert_eq!(
            mapping_changes(&m, &s).last().map(String::as_str),
            Some("ALTER TEXT SEARCH CONFIGURATION public.\"Cfg\" DROP MAPPING FOR \"int\"")
        );
        assert_eq!(
            config(&s)[0],
            "CREATE TEXT SEARCH CONFIGURATION public.\"Cfg\" (PARSER = pg_catalog.\"default\")"
        );
    }
}
