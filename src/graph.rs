//! A dependency graph with "a before b" edges and a deterministic, prioritised
//! topological sort, generic over the node key (the dump orders `ObjectId`s; the plan
//! orders its steps).
//!
//! Order: among the nodes whose predecessors are all placed, the one with the lowest
//! `(priority, key)` goes next, so the result depends only on the nodes, priorities and
//! edges, never on insertion order or hashing. A cycle is an error naming its members.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Display;

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};

/// A cycle: objects that each (transitively) have to come before the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dependency cycle between {}", .objects.join(", "))]
pub struct CycleError {
    /// The members of one cycle, as their keys display, sorted.
    pub objects: Vec<String>,
}

/// The graph. Keys are unique; adding a key twice keeps the lower priority.
#[derive(Debug, Clone)]
pub struct Graph<K> {
    graph: DiGraph<(i64, K), ()>,
    index: IndexMap<K, NodeIndex>,
}

impl<K> Default for Graph<K>
where
    K: Ord + Clone + std::hash::Hash + Display,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<K> Graph<K>
where
    K: Ord + Clone + std::hash::Hash + Display,
{
    pub fn new() -> Self {
        Graph {
            graph: DiGraph::new(),
            index: IndexMap::new(),
        }
    }

    /// Add a node (lower priority sorts earlier among nodes that are ready together).
    pub fn add(&mut self, key: K, priority: i64) {
        if let Some(&i) = self.index.get(&key) {
            let weight = &mut self.graph[i];
            weight.0 = weight.0.min(priority);
            return;
        }
        let i = self.graph.add_node((priority, key.clone()));
        self.index.insert(key, i);
    }

    /// Whether the graph holds `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// `a` must come before `b`. Returns false (and adds nothing) when either node is not
    /// in the graph or `a == b`.
    pub fn before(&mut self, a: &K, b: &K) -> bool {
        match (self.index.get(a), self.index.get(b)) {
            (Some(&ia), Some(&ib)) if ia != ib => {
                self.graph.update_edge(ia, ib, ());
                true
            }
            _ => false,
        }
    }

    /// Every key in an order that respects all edges; ties broken by `(priority, key)`.
    pub fn sort(&self) -> Result<Vec<K>, CycleError> {
        let g = &self.graph;
        let mut indegree: Vec<usize> = g
            .node_indices()
            .map(|n| {
                g.neighbors_directed(n, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(i64, &K, usize)>> = g
            .node_indices()
            .filter(|n| indegree[n.index()] == 0)
            .map(|n| Reverse((g[n].0, &g[n].1, n.index())))
            .collect();
        let mut out = Vec::with_capacity(g.node_count());
        while let Some(Reverse((_, key, i))) = ready.pop() {
            out.push(key.clone());
            for next in g.neighbors_directed(NodeIndex::new(i), petgraph::Direction::Outgoing) {
                let d = &mut indegree[next.index()];
                *d -= 1;
                if *d == 0 {
                    ready.push(Reverse((g[next].0, &g[next].1, next.index())));
                }
            }
        }
        if out.len() == g.node_count() {
            return Ok(out);
        }
        // Name one strongly connected component with more than one node (a real cycle).
        let mut cycles: Vec<Vec<String>> = petgraph::algo::tarjan_scc(g)
            .into_iter()
            .filter(|scc| scc.len() > 1)
            .map(|scc| {
                let mut names: Vec<&K> = scc.iter().map(|&n| &g[n].1).collect();
                names.sort();
                names.into_iter().map(|k| k.to_string()).collect()
            })
            .collect();
        cycles.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        Err(CycleError {
            objects: cycles.into_iter().next().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_win_over_priorities_and_ties_sort_by_key() {
        let mut g = Graph::new();
        g.add("b", 0);
        g.add("a", 0);
        g.add("c", 0);
        g.add("z", -1);
        assert!(g.before(&"c", &"a"));
        assert_eq!(g.sort().expect("acyclic"), vec!["z", "b", "c", "a"]);
    }

    #[test]
    fn insertion_order_does_not_matter() {
        let mut g1 = Graph::new();
        let mut g2 = Graph::new();
        for k in ["x", "y", "w"] {
            g1.add(k, 1);
        }
        for k in ["w", "y", "x"] {
            g2.add(k, 1);
        }
        g1.before(&"y", &"w");
        g2.before(&"y", &"w");
        assert_eq!(g1.sort().expect("ok"), g2.sort().expect("ok"));
        assert_eq!(g1.sort().expect("ok"), vec!["x", "y", "w"]);
    }

    #[test]
    fn a_cycle_names_its_members_only() {
        let mut g = Graph::new();
        for k in ["t1", "t2", "t3", "free"] {
            g.add(k, 0);
        }
        g.before(&"t1", &"t2");
        g.before(&"t2", &"t3");
        g.before(&"t3", &"t1");
        let err = g.sort().expect_err("cycle");
        assert_eq!(err.objects, vec!["t1", "t2", "t3"]);
        assert_eq!(err.to_string(), "dependency cycle between t1, t2, t3");
    }

    #[test]
    fn unknown_nodes_and_self_edges_are_ignored() {
        let mut g = Graph::new();
        g.add(1, 0);
        assert!(!g.before(&1, &2));
        assert!(!g.before(&1, &1));
        assert_eq!(g.sort().expect("ok"), vec![1]);
    }
}
