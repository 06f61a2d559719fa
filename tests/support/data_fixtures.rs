//! Fixtures of the data tests shared with other test binaries (`tests/data.rs`,
//! `tests/incremental.rs`): one copy of the SQL.

pub const SIMPLE: &str = "
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), at timestamptz);
CREATE TABLE empty_here (id int PRIMARY KEY, v text);
";

pub const TYPES: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pt AS (x float8, label text);
CREATE TABLE types_copy (
    k1 int NOT NULL, k2 text NOT NULL,
    i2 int2, i4 int4, i8 int8, num numeric, f4 float4, f8 float8, t text, b bytea, bo bool,
    d date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
    arr int[], tarr text[], m mood, dom posint, comp pt, ip inet, net cidr, mac macaddr,
    PRIMARY KEY (k1, k2));
CREATE TABLE types_cmp (LIKE types_copy INCLUDING ALL);
"#;

pub const TYPE_ROWS: &str = r#"
INSERT INTO types_copy VALUES
 (1, 'a', 1, 2, 3, 'NaN', 'NaN', 'Infinity', 'héllo wörld ✓ 日本 😀', '\x00ff10', true, '2024-02-29',
  '23:59:59.999999', '2024-01-01 00:00:00', '2024-06-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1,  2]}', '{"b": null, "c": 1.50}', '{1,NULL,3}',
  '{"x y","z\"q",NULL}', 'happy', 5, ROW(1.5, 'l,b"l'), '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03'),
 (2, 'b', -32768, -2147483648, -9223372036854775808, '-1.10', '-Infinity', '-0', E'tab\there\nnewline \\ backslash', '\x', false,
  '4713-01-01 BC', '00:00:00', '0001-01-01 00:00:00', 'infinity', '-1 days', '00000000-0000-0000-0000-000000000000',
  '[]', '[]', '{}', '{}', 'sad', 1, ROW('-0', NULL), '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff'),
 (3, 'c', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 'd', 0, 0, 0, '1e-20', '1.17549435e-38', '2.2250738585072014e-308', '', '\x00', true, '2000-01-01', '12:00', '2000-01-01 00:00:00.5',
  '2000-01-01 00:00:00.123456+00', '0', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', '"str"', '{{1,2},{3,4}}', '{""}', 'ok', 2147483647,
  ROW('Infinity', ''), '0.0.0.0/0', '0.0.0.0/0', '00:00:00:00:00:00');
INSERT INTO types_copy (k1, k2, i4, f8, t, jb, arr, m, tstz)
SELECT i, 'row' || i, i, i / 7.0, repeat('x', i % 5) || i, jsonb_build_object('i', i), ARRAY[i, i + 1], 'ok', '2020-01-01'::timestamptz + i * interval '1 second'
FROM generate_series(5, 60) AS i;
INSERT INTO types_cmp SELECT * FROM types_copy;
"#;
