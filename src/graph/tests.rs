use super::*;

fn node(name: &str, kind: Kind, bytes: u64) -> Node {
    Node {
        name: name.into(),
        mangled: name.into(),
        crate_name: "k".into(),
        section: ".text".into(),
        kind,
        address: 0,
        bytes,
    }
}

/// a → b → d, a → c → d, t (a table) → e: d is shared, so only a retains it.
fn sample() -> RefGraph {
    let nodes = vec![
        node("a", Kind::Text, 10),
        node("b", Kind::Text, 20),
        node("c", Kind::Text, 5),
        node("d", Kind::Text, 7),
        node("t", Kind::Rodata, 8),
        node("e", Kind::Text, 3),
    ];
    let pairs = [(0, 1), (0, 2), (1, 3), (2, 3), (4, 5)];
    let edges: Vec<Edge> = pairs
        .iter()
        .map(|&(from, to)| Edge {
            from,
            to,
            place: 0,
            r_type: object::elf::R_ARM_THM_PC22,
        })
        .collect();
    let mut g = RefGraph::new(nodes, edges, object::elf::EM_ARM);
    g.roots = super::roots::roots(&g, Some(0));
    g
}

#[test]
fn roots_are_the_entry_and_what_nothing_refers_to() {
    assert_eq!(
        sample().roots,
        [(0, RootWhy::Entry), (4, RootWhy::Unreferenced)]
    );
}

#[test]
fn retained_sizes_follow_the_dominator_tree() {
    let g = sample();
    let r = retained_sizes(&g);
    assert_eq!(r, [42, 20, 5, 7, 11, 3]);
    // The roots retain every byte; a leaf only its own.
    let roots: u64 = g.roots.iter().map(|&(n, _)| r[n]).sum();
    assert_eq!(roots, g.total_bytes());
}

#[test]
fn chains_start_at_a_root_and_name_how_each_step_refers() {
    let g = sample();
    let c = chains(&g, 3, 5);
    assert_eq!(c.len(), 2, "through b and through c");
    let names: Vec<&str> = c[0].steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "d"]);
    assert_eq!(c[0].root, RootWhy::Entry);
    assert_eq!(c[0].steps[1].via, Some(StepVia::Call));
    let e = chains(&g, 5, 1);
    assert_eq!(e[0].steps[1].via, Some(StepVia::FunctionPointer));
    assert_eq!(e[0].root, RootWhy::Unreferenced);
}

#[test]
fn patterns_are_globs_or_substrings() {
    let g = sample();
    assert_eq!(g.matching("?"), [0, 1, 2, 3, 4, 5]);
    assert_eq!(g.matching("d"), [3]);
    assert!(g.matching("x*").is_empty());
}

#[test]
fn generic_keys_leave_out_type_arguments_only() {
    use super::costs::generic_key;
    assert_eq!(
        generic_key("core::ptr::drop_in_place::<a::B<u8>>"),
        "core::ptr::drop_in_place::<_>"
    );
    assert_eq!(
        generic_key("<hal::Uarte<pac::UARTE0> as core::fmt::Write>::write_str"),
        "<hal::Uarte<_> as core::fmt::Write>::write_str"
    );
    assert_eq!(
        generic_key("<u32 as core::fmt::Display>::fmt"),
        "<u32 as core::fmt::Display>::fmt"
    );
}
