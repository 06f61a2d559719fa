//! Foreign-key order. Tables joined by foreign keys (directly or through others) form a
//! *group* synced in one standin transaction by one worker: parents before children for
//! inserts and updates, children before parents for deletes, so every constraint holds at
//! each statement. Groups are independent and run in parallel. A cycle of two or more tables
//! needs its constraints deferred (or `session_replication_role = replica`); a table that
//! references itself needs nothing, since one statement writes all its rows.

use std::collections::BTreeMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;

use crate::data::tables::TablePair;

/// Tables synced together, in parents-first order.
#[derive(Debug, Clone)]
pub struct Group {
    /// Indexes into the table list, parents first.
    pub tables: Vec<usize>,
    /// Cycles of two or more tables whose constraints are not all deferrable, as
    /// `a -> b -> a` strings: these need `session_replication_role = replica`.
    pub hard_cycles: Vec<String>,
}

/// Split `tables` into independent groups, each ordered parents first; largest first.
pub fn groups(tables: &[TablePair]) -> Vec<Group> {
    let index: BTreeMap<(String, String), usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.schema.clone(), t.name.clone()), i))
        .collect();
    // Edge parent -> child: the parent is written first.
    let mut graph: DiGraph<usize, bool> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..tables.len()).map(|i| graph.add_node(i)).collect();
    let mut union = UnionFind::<usize>::new(tables.len());
    for (child, t) in tables.iter().enumerate() {
        for (schema, name, deferrable) in &t.parents {
            if let Some(&parent) = index.get(&(schema.clone(), name.clone())) {
                if parent != child {
                    graph.add_edge(nodes[parent], nodes[child], *deferrable);
                    union.union(parent, child);
                }
            }
        }
    }
    // tarjan_scc yields components in reverse topological order: reverse for parents first.
    let mut sccs = tarjan_scc(&graph);
    sccs.reverse();
    let mut by_group: BTreeMap<usize, Group> = BTreeMap::new();
    for mut scc in sccs {
        scc.sort_by_key(|n| tables[graph[*n]].qualified_name());
        let root = union.find(graph[scc[0]]);
        let group = by_group.entry(root).or_insert_with(|| Group {
            tables: Vec::new(),
            hard_cycles: Vec::new(),
        });
        if scc.len() > 1 {
            let members: Vec<NodeIndex> = scc.clone();
            let all_deferrable = graph.edge_indices().all(|e| {
                let (a, b) = graph.edge_endpoints(e).unwrap_or((nodes[0], nodes[0]));
                !(members.contains(&a) && members.contains(&b)) || graph[e]
            });
            if !all_deferrable {
                let mut names: Vec<String> = members
                    .iter()
                    .map(|n| tables[graph[*n]].qualified_name())
                    .collect();
                names.push(names[0].clone());
                group.hard_cycles.push(names.join(" -> "));
            }
        }
        group.tables.extend(scc.iter().map(|n| graph[*n]));
    }
    let mut out: Vec<Group> = by_group.into_values().collect();
    let size = |g: &Group| -> f64 {
        g.tables
            .iter()
            .map(|&i| tables[i].estimated_rows.max(0.0))
            .sum()
    };
    out.sort_by(|a, b| size(b).total_cmp(&size(a)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, parents: &[(&str, bool)]) -> TablePair {
        TablePair {
            schema: "s".into(),
            name: name.into(),
            main_kind: "r".into(),
            standin_kind: "r".into(),
            columns: vec![],
            key: None,
            binary: true,
            estimated_rows: 1.0,
            parents: parents
                .iter()
                .map(|(p, d)| ("s".to_string(), p.to_string(), *d))
                .collect(),
            standin_user_triggers: 0,
        }
    }

    fn names(tables: &[TablePair], g: &Group) -> Vec<String> {
        g.tables.iter().map(|&i| tables[i].name.clone()).collect()
    }

    #[test]
    fn chain_is_parents_first_and_independent_tables_split() {
        let tables = vec![
            t("items", &[("orders", false), ("products", false)]),
            t("orders", &[("customers", false)]),
            t("customers", &[]),
            t("products", &[]),
            t("log", &[]),
            t("tree", &[("tree", false)]),
        ];
        let gs = groups(&tables);
        assert_eq!(gs.len(), 3);
        let big = gs.iter().find(|g| g.tables.len() == 4).unwrap();
        let order = names(&tables, big);
        let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
        assert!(pos("customers") < pos("orders"));
        assert!(pos("orders") < pos("items"));
        assert!(pos("products") < pos("items"));
        assert!(gs.iter().all(|g| g.hard_cycles.is_empty()));
    }

    #[test]
    fn cycles_are_named_unless_deferrable() {
        let hard = vec![t("a", &[("b", false)]), t("b", &[("a", true)])];
        let gs = groups(&hard);
        assert_eq!(gs.len(), 1);
        assert_eq!(gs[0].hard_cycles, vec!["s.a -> s.b -> s.a".to_string()]);
        let soft = vec![t("a", &[("b", true)]), t("b", &[("a", true)])];
        assert!(groups(&soft)[0].hard_cycles.is_empty());
    }
}
