//! Dotted keys over TOML tables: flatten, set, remove.

/// Flattens a TOML table into dotted leaf keys.
pub(crate) fn leaves(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => leaves(&key, t, out),
            _ => out.push((key, v.clone())),
        }
    }
}

/// The value at the dotted `key`, if there is one.
pub(super) fn get_dotted<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    match key.split_once('.') {
        None => table.get(key),
        Some((head, rest)) => get_dotted(table.get(head)?.as_table()?, rest),
    }
}

/// Sets `value` at the dotted `key`, creating tables on the way.
pub(super) fn insert_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts = key.split('.').peekable();
    let mut t = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            t.insert(part.to_string(), value);
            return;
        }
        let entry = t
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().unwrap();
    }
}

/// Removes the value at the dotted `key`, if present, and the tables it leaves empty (an empty
/// table where a value belongs would not deserialize).
pub(super) fn remove_dotted(table: &mut toml::Table, key: &str) {
    match key.split_once('.') {
        None => {
            table.remove(key);
        }
        Some((head, rest)) => {
            if let Some(t) = table.get_mut(head).and_then(|v| v.as_table_mut()) {
                remove_dotted(t, rest);
                if t.is_empty() {
                    table.remove(head);
                }
            }
        }
    }
}

/// Removes every key whose own name contains a dot, and the tables that leaves empty.
pub(super) fn drop_dotted_names(table: &mut toml::Table) {
    table.retain(|k, v| {
        if k.contains('.') {
            return false;
        }
        match v {
            toml::Value::Table(t) if !t.is_empty() => {
                drop_dotted_names(t);
                !t.is_empty()
            }
            _ => true,
        }
    });
}

/// The dotted names of the empty tables in `table` (`[site.foo]` with no keys has no leaf).
pub(super) fn empty_tables(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
    for (k, v) in table {
        if let toml::Value::Table(t) = v {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if t.is_empty() {
                out.push(key);
            } else {
                empty_tables(&key, t, out);
            }
        }
    }
}
