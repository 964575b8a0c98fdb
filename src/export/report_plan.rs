//! plan.json as the report reads it: its long lists (`patient_flows`, `batch_flows`,
//! `unserved`) as compact typed rows, with ids borrowed from the file's bytes where they need no
//! unescaping, and the rest of the plan as JSON. Parsed whole into a `serde_json::Value`, a plan
//! takes some ten times its file's size (every row an ordered map of boxed values); its rows take
//! about as much as the file.
//!
//! The rows read any JSON as the report read the `Value` before: a number that is not there (or
//! is not a number) is 0, an id or a reason that is not a string is `None`, a list that is not an
//! array is empty, a row that is not an object has nothing, a key given twice in an object keeps
//! its last value. The plan is read in one pass that parses every value (the lists' unknown
//! fields too), so a file that is not JSON gets the error parsing it as a `Value` gives.

use crate::verify::{IdOf, VerifyError, refuse_repeated_flows};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

/// A plan for the report (see the module's documentation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportPlan<'a> {
    /// The plan without `patient_flows`, `batch_flows` and `unserved`.
    pub rest: Value,
    pub patient_flows: Vec<PatientFlow<'a>>,
    pub batch_flows: Vec<BatchFlow<'a>>,
    pub unserved: Vec<Unserved<'a>>,
}

/// A row of `patient_flows`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientFlow<'a> {
    /// The year of a multi-year plan's row (an integer of at least 0, or `None`).
    pub year: Option<u64>,
    pub demand: Option<Cow<'a, str>>,
    pub hospital: Option<Cow<'a, str>>,
    pub patients: f64,
    pub hours: f64,
}

/// A row of `batch_flows`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchFlow<'a> {
    pub year: Option<u64>,
    pub hospital: Option<Cow<'a, str>>,
    pub site: Option<Cow<'a, str>>,
    pub batches: f64,
    pub transit_hours: f64,
    pub vein_to_vein_days: f64,
}

/// A row of `unserved`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unserved<'a> {
    pub year: Option<u64>,
    /// The year as a number (what the table shows), 0 when it is not one.
    pub year_number: f64,
    pub demand: Option<Cow<'a, str>>,
    pub patients: f64,
    pub reason: Option<Cow<'a, str>>,
}

/// The names of the lists read as rows.
const LISTS: [&str; 3] = ["patient_flows", "batch_flows", "unserved"];

/// Parses plan.json's contents (read with [`crate::verify::read_plan_bytes`]; the rows borrow
/// from them) for the report; `path` names it in messages. As
/// [`crate::verify::parse_plan`], flow rows that repeat an earlier one are refused first
/// (E603), and JSON errors say where they are.
pub fn parse<'a>(bytes: &'a [u8], path: &Path) -> Result<ReportPlan<'a>, VerifyError> {
    refuse_repeated_flows(bytes, path)?;
    serde_json::from_slice(bytes).map_err(|error| VerifyError::Json {
        path: path.to_path_buf(),
        error,
    })
}

impl ReportPlan<'_> {
    /// The ids the plan names, in the order of [`crate::verify::named_ids`], for
    /// [`crate::verify::check_data_named`].
    pub fn named_ids(&self) -> impl Iterator<Item = (IdOf, &str)> {
        let sites = self.rest["sites"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|x| x["id"].as_str().map(|id| (IdOf::Site, id)));
        let pf = &self.patient_flows;
        let bf = &self.batch_flows;
        sites
            .chain(
                pf.iter()
                    .filter_map(move |f| of(IdOf::DemandPoint, &f.demand)),
            )
            .chain(
                pf.iter()
                    .filter_map(move |f| of(IdOf::Hospital, &f.hospital)),
            )
            .chain(
                bf.iter()
                    .filter_map(move |f| of(IdOf::Hospital, &f.hospital)),
            )
            .chain(bf.iter().filter_map(move |f| of(IdOf::Site, &f.site)))
            .chain(
                self.unserved
                    .iter()
                    .filter_map(move |u| of(IdOf::DemandPoint, &u.demand)),
            )
    }
}

/// `id` if it is a string, as an id of `of`.
fn of<'r>(of: IdOf, id: &'r Option<Cow<'_, str>>) -> Option<(IdOf, &'r str)> {
    id.as_deref().map(|id| (of, id))
}

/// Any JSON value, parsed (so checked) and dropped.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(|_| Skip)
    }
}

/// A JSON value as the rows keep it: a string, an integer of at least 0, another number, or
/// something else (dropped).
enum Scalar<'a> {
    Text(Cow<'a, str>),
    Int(u64),
    Num(f64),
    Other,
}

impl<'a> Scalar<'a> {
    /// The string, as `Value::as_str`.
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Scalar::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The number if finite, else 0 (as the report reads a `Value`).
    fn number(&self) -> f64 {
        match *self {
            Scalar::Int(u) => u as f64,
            Scalar::Num(x) if x.is_finite() => x,
            _ => 0.0,
        }
    }

    /// The integer, as `Value::as_u64`.
    fn int(&self) -> Option<u64> {
        match *self {
            Scalar::Int(u) => Some(u),
            _ => None,
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Scalar::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An object's key, borrowed when it needs no unescaping.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_str(ScalarVisitor)? {
            Scalar::Text(t) => Ok(Key(t)),
            _ => Err(de::Error::custom("a key must be a string")),
        }
    }
}

/// A row read from an object's fields; anything else is a row with nothing.
trait Row<'de>: Default {
    /// Reads the value of `key` from `map` (a key given twice: the last value).
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

impl<'de> Row<'de> for PatientFlow<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let v: Scalar<'de> = map.next_value()?;
        match key {
            "year" => self.year = v.int(),
            "demand" => self.demand = v.text(),
            "hospital" => self.hospital = v.text(),
            "patients" => self.patients = v.number(),
            "hours" => self.hours = v.number(),
            _ => {}
        }
        Ok(())
    }
}

impl<'de> Row<'de> for BatchFlow<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let v: Scalar<'de> = map.next_value()?;
        match key {
            "year" => self.year = v.int(),
            "hospital" => self.hospital = v.text(),
            "site" => self.site = v.text(),
            "batches" => self.batches = v.number(),
            "transit_hours" => self.transit_hours = v.number(),
            "vein_to_vein_days" => self.vein_to_vein_days = v.number(),
            _ => {}
        }
        Ok(())
    }
}

impl<'de> Row<'de> for Unserved<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let v: Scalar<'de> = map.next_value()?;
        match key {
            "year" => {
                self.year = v.int();
                self.year_number = v.number();
            }
            "demand" => self.demand = v.text(),
            "patients" => self.patients = v.number(),
            "reason" => self.reason = v.text(),
            _ => {}
        }
        Ok(())
    }
}

/// One row, read with [`Row::field`].
struct RowOf<R>(R);

impl<'de, R: Row<'de>> Deserialize<'de> for RowOf<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<R>(PhantomData<R>);
        impl<'de, R: Row<'de>> Visitor<'de> for V<R> {
            type Value = R;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<R, A::Error> {
                let mut row = R::default();
                while let Some(Key(key)) = map.next_key()? {
                    row.field(&key, &mut map)?;
                }
                Ok(row)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R, A::Error> {
                ScalarVisitor.visit_seq(seq).map(|_| R::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<R, E> {
                Ok(R::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<R, E> {
                Ok(R::default())
            }
        }
        d.deserialize_any(V(PhantomData)).map(RowOf)
    }
}

/// A list of rows; anything but an array is no rows.
struct Rows<R>(Vec<R>);

impl<'de, R: Row<'de>> Deserialize<'de> for Rows<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<R>(PhantomData<R>);
        impl<'de, R: Row<'de>> Visitor<'de> for V<R> {
            type Value = Vec<R>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<R>, A::Error> {
                let mut rows = Vec::new();
                while let Some(RowOf(row)) = seq.next_element()? {
                    rows.push(row);
                }
                rows.shrink_to_fit();
                Ok(rows)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<R>, A::Error> {
                ScalarVisitor.visit_map(map).map(|_| Vec::new())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Vec<R>, E> {
                Ok(Vec::new())
            }
        }
        d.deserialize_any(V(PhantomData)).map(Rows)
    }
}

impl<'de> Deserialize<'de> for ReportPlan<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ReportPlan<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut plan = ReportPlan::default();
                let mut rest = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "patient_flows" => plan.patient_flows = map.next_value::<Rows<_>>()?.0,
                        "batch_flows" => plan.batch_flows = map.next_value::<Rows<_>>()?.0,
                        "unserved" => plan.unserved = map.next_value::<Rows<_>>()?.0,
                        _ => {
                            let value: Value = map.next_value()?;
                            rest.insert(key, value);
                        }
                    }
                }
                debug_assert!(LISTS.iter().all(|k| !rest.contains_key(*k)));
                plan.rest = Value::Object(rest);
                Ok(plan)
            }
            // a plan that is not an object has no rows
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                whole(Value::deserialize(de::value::SeqAccessDeserializer::new(
                    seq,
                ))?)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                whole(Value::from(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                whole(Value::Null)
            }
        }
        fn whole<'a, E>(rest: Value) -> Result<ReportPlan<'a>, E> {
            Ok(ReportPlan {
                rest,
                ..ReportPlan::default()
            })
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::named_ids;

    fn num(v: &Value) -> f64 {
        v.as_f64().filter(|x| x.is_finite()).unwrap_or(0.0)
    }

    fn text(v: &Value) -> Option<&str> {
        v.as_str()
    }

    /// The rows as the report read them from a `Value` before.
    fn from_value(plan: &Value) -> ReportPlan<'_> {
        let list = |key: &str| plan[key].as_array().cloned().unwrap_or_default();
        let cow = |v: &Value| text(v).map(|s| Cow::Owned(s.to_string()));
        let mut rest = plan.clone();
        if let Some(map) = rest.as_object_mut() {
            for key in LISTS {
                map.shift_remove(key);
            }
        }
        ReportPlan {
            rest,
            patient_flows: list("patient_flows")
                .iter()
                .map(|r| PatientFlow {
                    year: r["year"].as_u64(),
                    demand: cow(&r["demand"]),
                    hospital: cow(&r["hospital"]),
                    patients: num(&r["patients"]),
                    hours: num(&r["hours"]),
                })
                .collect(),
            batch_flows: list("batch_flows")
                .iter()
                .map(|r| BatchFlow {
                    year: r["year"].as_u64(),
                    hospital: cow(&r["hospital"]),
                    site: cow(&r["site"]),
                    batches: num(&r["batches"]),
                    transit_hours: num(&r["transit_hours"]),
                    vein_to_vein_days: num(&r["vein_to_vein_days"]),
                })
                .collect(),
            unserved: list("unserved")
                .iter()
                .map(|r| Unserved {
                    year: r["year"].as_u64(),
                    year_number: num(&r["year"]),
                    demand: cow(&r["demand"]),
                    patients: num(&r["patients"]),
                    reason: cow(&r["reason"]),
                })
                .collect(),
        }
    }

    fn both(json: &str) -> (ReportPlan<'_>, Value) {
        let rows = parse(json.as_bytes(), Path::new("plan.json")).unwrap();
        let value: Value = serde_json::from_str(json).unwrap();
        (rows, value)
    }

    #[test]
    fn rows_are_those_of_the_value_with_escaped_ids() {
        let json = r#"{"cartnet_version": "0.1.0", "sites": [{"id": "S\"1"}, {"id": 3}],
            "patient_flows": [
              {"year": 1, "demand": "D\u00e91", "hospital": "H\\1", "patients": 2.5, "hours": 1},
              {"year": 2, "demand": "D1", "hospital": "S\\u00e9", "patients": -3, "hours": "x"}],
            "batch_flows": [{"year": 1, "hospital": "H\n1", "site": "S\"1", "batches": 4,
              "transit_hours": 0.5, "vein_to_vein_days": 14.0, "note": ["x", {"y": null}]}],
            "unserved": [{"year": 1.5, "demand": "D\ud83d\ude00", "patients": 0.1,
              "reason": "no hospital \"near\""}],
            "years": [{"year": 1}]}"#;
        let (rows, value) = both(json);
        assert_eq!(rows, from_value(&value));
        assert_eq!(rows.patient_flows[0].demand.as_deref(), Some("Dé1"));
        assert_eq!(rows.patient_flows[1].hospital.as_deref(), Some("S\\u00e9"));
        assert_eq!(rows.batch_flows[0].site.as_deref(), Some("S\"1"));
        assert_eq!(rows.unserved[0].demand.as_deref(), Some("D😀"));
        assert_eq!(
            (rows.unserved[0].year, rows.unserved[0].year_number),
            (None, 1.5)
        );
        // an id without escapes is borrowed from the bytes
        assert!(matches!(
            rows.patient_flows[1].demand,
            Some(Cow::Borrowed("D1"))
        ));
        assert_eq!(
            rows.named_ids().collect::<Vec<_>>(),
            named_ids(&value).collect::<Vec<_>>()
        );
        assert_eq!(rows.named_ids().count(), 8);
    }

    #[test]
    fn any_shape_reads_as_the_value_reads() {
        for json in [
            r#"{"patient_flows": {"a": 1}, "batch_flows": null, "unserved": "none"}"#,
            r#"{"patient_flows": [1, "x", null, [2], {}], "unserved": [true]}"#,
            r#"{"patient_flows": [{"demand": "D1", "demand": 7, "hospital": "H1",
                "hospital": "H2", "year": -1, "patients": 1e300}]}"#,
            r#"{"unserved": [{"demand": "D1"}], "unserved": [{"demand": "D2", "year": 3}],
                "sites": [], "sites": [{"id": "S1"}]}"#,
            r#"{"patient_flows": [{"year": 18446744073709551616, "patients": 18446744073709551615}]}"#,
            r#"[{"patient_flows": []}]"#,
            r#""plan""#,
            r#"12"#,
            r#"null"#,
        ] {
            let (rows, value) = both(json);
            assert_eq!(rows, from_value(&value), "{json}");
            assert_eq!(
                rows.named_ids().collect::<Vec<_>>(),
                named_ids(&value).collect::<Vec<_>>(),
                "{json}"
            );
        }
    }

    #[test]
    fn a_file_that_is_not_json_gets_the_values_error() {
        let bad: [&[u8]; 5] = [
            b"{\"patient_flows\": [{\"demand\": \"D\xff\"}]}",
            b"{\"patient_flows\": [{\"note\": \"\xc3\"}], \"x\": 1}",
            b"{\"batch_flows\": [{\"site\": \"S\\q\"}]}",
            b"{\"unserved\": [{\"patients\": 1.}]}",
            b"{\"unserved\": []} x",
        ];
        for bytes in bad {
            let value = serde_json::from_slice::<Value>(bytes).unwrap_err();
            match parse(bytes, Path::new("plan.json")) {
                Err(VerifyError::Json { error, .. }) => {
                    assert_eq!(error.to_string(), value.to_string())
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
