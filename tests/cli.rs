//! End-to-end tests of the `factls` command line: the real binary, run the
//! way a new user runs it, on the seed corpus and the fixtures under
//! `tests/fixtures/` (see its README). Whole outputs are compared exactly,
//! against golden files in `tests/expected/` or inline `expect![[…]]`
//! snapshots; refresh both with `UPDATE_EXPECT=1 cargo test --test cli`, and
//! read the diff before committing it.
//!
//! Positions are also checked independently of factls: every diagnostic's
//! `line:col` must point at the text its message quotes, and every mention's
//! `start`/`end` must slice the file's characters to the mention's text.

mod common;

use common::{
    Run, assert_positions_match_quotes, at, factls, factls_as_nobody, factls_in, line_col_of_char, parse_human, repo,
    temp_corpus,
};
use expect_test::{expect, expect_file};
use serde_json::Value;

const SEED: &str = "seeds/000_16a33d4f32bdc8d1.txt";

/// `(line, column, start, end, text)` of a mention, as `names --format json`
/// gives it.
type At = (u64, u64, u64, u64, &'static str);

/// `(line, column, start, end, text)` of every mention of `name`.
fn mentions_of(names: &Value, name: &str) -> Vec<(u64, u64, u64, u64, String)> {
    let entry = names["names"]
        .as_array()
        .expect("names array")
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("`{name}` is not listed"));
    entry["mentions"]
        .as_array()
        .expect("mentions array")
        .iter()
        .map(|m| {
            (
                m["line"].as_u64().expect("line"),
                m["column"].as_u64().expect("column"),
                m["start"].as_u64().expect("start"),
                m["end"].as_u64().expect("end"),
                m["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

/// Every mention's `start`/`end` slices its file's characters to its
/// `text`, and its `line`/`column` is where that character offset is.
fn assert_mentions_slice(cwd: &std::path::Path, names: &Value) {
    for n in names["names"].as_array().expect("names array") {
        for m in n["mentions"].as_array().expect("mentions array") {
            let file = m["file"].as_str().expect("file");
            let text = std::fs::read_to_string(cwd.join(file)).expect("read mentioned file");
            let (start, end) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
            let sliced: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(sliced, m["text"].as_str().unwrap(), "{file} {start}..{end} of {}", n["name"]);
            let (line, col) = line_col_of_char(&text, start);
            assert_eq!(
                (line as u64, col as u64),
                (m["line"].as_u64().unwrap(), m["column"].as_u64().unwrap()),
                "{file}: line/column of char {start} ({sliced})"
            );
        }
    }
}

fn summary(run: &Run) -> &str {
    run.stdout.lines().last().unwrap_or("")
}

// ------------------------------------------------------------------ seeds

#[test]
fn check_seeds_whole_output() {
    let run = factls(&["check", "seeds"]);
    assert_eq!(run.code, 0, "warnings and information only: exit 0\n{}", run.stderr);
    assert_eq!(run.stderr, "");
    expect_file!["expected/check_seeds.txt"].assert_eq(&run.stdout);
    assert_positions_match_quotes(&repo(), &run.stdout);

    // The lines the issue names, spelled out so a refreshed snapshot cannot
    // silently lose them.
    for line in [
        "seeds/000_16a33d4f32bdc8d1.txt:19:36: warning[money-figure]: money figure `nearly $1.7 million` has no source",
        "seeds/000_16a33d4f32bdc8d1.txt:23:34: warning[money-figure]: money figure `more than $40 million` has no source",
        "seeds/000_16a33d4f32bdc8d1.txt:23:171: warning[percentage]: percentage `at least 20 percent` has no source",
        "seeds/000_16a33d4f32bdc8d1.txt:9:62: information[quotation]: quotation `“outrageous.”` is attributed to Dale Wilcox",
        "seeds/000_16a33d4f32bdc8d1.txt:17:1: information[quotation]: quotation `“It is utterly shocking that any DA’s office…` is attributed to Matt O’Brien",
        "seeds/000_16a33d4f32bdc8d1.txt:1:258: information[allegation]: allegation `alleges` is attributed to Immigration Reform Law Institute",
    ] {
        assert!(run.stdout.lines().any(|l| l.starts_with(line)), "missing: {line}\n{}", run.stdout);
    }
    // Every quotation and allegation of the seed names its speaker.
    for r in parse_human(&run.stdout).iter().filter(|r| r.rule == "quotation" || r.rule == "allegation") {
        assert_eq!(r.severity, "information", "{r:?}");
        assert!(r.message.contains(" is attributed to "), "{r:?}");
    }
}

#[test]
fn deny_warnings_fails_on_the_seed() {
    let run = factls(&["check", "--deny", "warnings", "seeds"]);
    assert_eq!(run.code, 1);
    assert_eq!(summary(&run), "0 errors, 7 warnings, 10 information, 0 hints in 1 file (2 documents checked)");
}

#[test]
fn names_seeds_whole_output() {
    let run = factls(&["names", "seeds"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect_file!["expected/names_seeds.txt"].assert_eq(&run.stdout);
}

/// A knowledge-base name no document mentions is listed with no mentions,
/// in the human and the JSON output; a corpus without names lists none.
#[test]
fn names_never_mentioned_and_no_names_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("entities.toml"),
        "[[entity]]\nid = \"ada\"\nname = \"Ada Lovelace\"\nkind = \"person\"\n\n[[entity]]\nid = \"irli\"\nname = \"Immigration Reform Law Institute\"\nkind = \"organization\"\naliases = [\"IRLI\"]\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("a.txt"), "IRLI said so. Then “IRLI” again.\n").expect("write");
    let run = factls_in(dir.path(), &["names"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect![[r#"
        NAME                              KIND          ORIGIN          MENTIONS  FIRST INTRODUCED
        Ada Lovelace                      person        knowledge-base         0  entities.toml:1
        Immigration Reform Law Institute  organization  knowledge-base         2  entities.toml:6
    "#]]
    .assert_eq(&run.stdout);
    let run = factls_in(dir.path(), &["names", "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect![[r#"
        {
          "names": [
            {
              "id": "ada",
              "kind": "person",
              "mentions": [],
              "name": "Ada Lovelace",
              "origin": "knowledge-base"
            },
            {
              "id": "irli",
              "kind": "organization",
              "mentions": [
                {
                  "column": 1,
                  "end": 4,
                  "file": "a.txt",
                  "line": 1,
                  "start": 0,
                  "text": "IRLI"
                },
                {
                  "column": 21,
                  "end": 24,
                  "file": "a.txt",
                  "line": 1,
                  "start": 20,
                  "text": "IRLI"
                }
              ],
              "name": "Immigration Reform Law Institute",
              "origin": "knowledge-base"
            }
          ]
        }
    "#]]
    .assert_eq(&run.stdout);
    let empty = tempfile::tempdir().expect("temp dir");
    let run = factls_in(empty.path(), &["names", "--format", "json"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "{\n  \"names\": []\n}\n", ""));
}

#[test]
fn names_seeds_json_mentions_are_exact() {
    let run = factls(&["names", "--format", "json", "seeds"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let names = run.json();
    assert_mentions_slice(&repo(), &names);
    // Written by hand, a name at a time, in serde_json's own layout.
    assert_eq!(format!("{}\n", serde_json::to_string_pretty(&names).expect("json")), run.stdout);

    let expected: &[(&str, &[At])] = &[
        (
            "Larry Krasner",
            &[
                (1, 49, 48, 61, "Larry Krasner"),
                (3, 29, 295, 302, "Krasner"),
                (5, 14, 513, 520, "Krasner"),
                (9, 44, 1156, 1163, "Krasner"),
                (11, 171, 1359, 1366, "Krasner"),
                (15, 33, 1878, 1885, "Krasner"),
                (17, 160, 2170, 2180, "DA Krasner"),
                (19, 1, 2258, 2265, "Krasner"),
                (21, 302, 2812, 2819, "Krasner"),
            ],
        ),
        (
            "George Soros",
            &[
                (1, 97, 96, 108, "George Soros"),
                (19, 63, 2320, 2325, "Soros"),
                (19, 149, 2406, 2411, "Soros"),
                (23, 18, 2841, 2846, "Soros"),
                (23, 127, 2950, 2955, "Soros"),
            ],
        ),
        (
            "Immigration Reform Law Institute",
            &[
                (1, 218, 217, 249, "Immigration Reform Law Institute"),
                (1, 252, 251, 255, "IRLI"),
                // Inside `IRLI Executive Director` (a nested mention).
                (9, 1, 1113, 1117, "IRLI"),
                (17, 120, 2130, 2134, "IRLI"),
            ],
        ),
        ("Dale Wilcox", &[(9, 25, 1137, 1148, "Dale Wilcox"), (11, 157, 1345, 1351, "Wilcox")]),
        ("Matt O’Brien", &[(17, 127, 2137, 2149, "Matt O’Brien")]),
        (
            "Immigration and Customs Enforcement",
            &[(13, 242, 1786, 1821, "Immigration and Customs Enforcement"), (13, 279, 1823, 1826, "ICE")],
        ),
        (
            "Philadelphia Justice and Public Safety PAC",
            &[(19, 87, 2344, 2386, "Philadelphia Justice and Public Safety PAC")],
        ),
        ("George Gascón", &[(21, 31, 2541, 2554, "George Gascón")]),
        ("Kimberly Foxx", &[(21, 80, 2590, 2603, "Kimberly Foxx")]),
        ("Diana Becton", &[(21, 137, 2647, 2659, "Diana Becton")]),
        ("Alvin Bragg", &[(21, 183, 2693, 2704, "Alvin Bragg")]),
        ("Mike Schmidt", &[(21, 239, 2749, 2761, "Mike Schmidt")]),
    ];
    for (name, want) in expected {
        let got = mentions_of(&names, name);
        let want: Vec<_> = want.iter().map(|&(l, c, s, e, t)| (l, c, s, e, t.to_string())).collect();
        assert_eq!(got, want, "mentions of {name}");
    }
    for n in names["names"].as_array().unwrap() {
        assert_eq!(n["origin"], "knowledge-base", "{}", n["name"]);
        for m in n["mentions"].as_array().unwrap() {
            assert_eq!(m["file"], SEED);
        }
    }
}

/// The seed article alone, with no knowledge base: the people are still
/// recognised, introduced by the words the article introduces them with.
#[test]
fn names_without_a_knowledge_base_are_discovered() {
    let dir = temp_corpus(&[(SEED, "000_16a33d4f32bdc8d1.txt")]);
    let run = factls_in(dir.path(), &["names"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect![[r#"
        NAME                                        KIND          ORIGIN          MENTIONS  FIRST INTRODUCED
        Larry Krasner                               person        discovered             9  000_16a33d4f32bdc8d1.txt:1:49 “Philadelphia District Attorney Larry Krasner (D)”
        George Soros                                person        discovered             5  000_16a33d4f32bdc8d1.txt:1:97 “billionaire George Soros”
        Immigration Reform Law Institute            organization  discovered             4  000_16a33d4f32bdc8d1.txt:1:218 “Immigration Reform Law Institute (IRLI)”
        Immigration Counsel                         organization  discovered             2  000_16a33d4f32bdc8d1.txt:3:55 “Immigration Counsel”
        United States Immigration Court             organization  discovered             1  000_16a33d4f32bdc8d1.txt:5:198 “United States Immigration Court”
        Immigration and Nationality Act             law           discovered             1  000_16a33d4f32bdc8d1.txt:7:268 “Immigration and Nationality Act”
        Dale Wilcox                                 person        discovered             2  000_16a33d4f32bdc8d1.txt:9:25 “IRLI Executive Director Dale Wilcox”
        Immigration and Customs Enforcement         organization  discovered             2  000_16a33d4f32bdc8d1.txt:13:242 “Immigration and Customs Enforcement (ICE)”
        United States                               place         discovered             3  000_16a33d4f32bdc8d1.txt:17:53 “United States”
        Matt O’Brien                                person        discovered             1  000_16a33d4f32bdc8d1.txt:17:127 “IRLI’s Matt O’Brien”
        Philadelphia Justice and Public Safety PAC  organization  discovered             1  000_16a33d4f32bdc8d1.txt:19:87 “Philadelphia Justice and Public Safety PAC”
        Los Angeles                                 place         discovered             1  000_16a33d4f32bdc8d1.txt:21:1 “Los Angeles”
        George Gascón                               person        discovered             1  000_16a33d4f32bdc8d1.txt:21:31 “Los Angeles District Attorney George Gascón (D)”
        Cook County                                 place         discovered             1  000_16a33d4f32bdc8d1.txt:21:50 “Cook County”
        Kimberly Foxx                               person        discovered             1  000_16a33d4f32bdc8d1.txt:21:80 “Cook County District Attorney Kimberly Foxx (D)”
        Contra Costa County                         place         discovered             1  000_16a33d4f32bdc8d1.txt:21:99 “Contra Costa County”
        Diana Becton                                person        discovered             1  000_16a33d4f32bdc8d1.txt:21:137 “Contra Costa County District Attorney Diana Becton (D)”
        Alvin Bragg                                 person        discovered             1  000_16a33d4f32bdc8d1.txt:21:183 “Manhattan District Attorney Alvin Bragg (D)”
        Multnomah County                            place         discovered             1  000_16a33d4f32bdc8d1.txt:21:204 “Multnomah County”
        Mike Schmidt                                person        discovered             1  000_16a33d4f32bdc8d1.txt:21:239 “Multnomah County District Attorney Mike Schmidt (D)”
        U.S.                                        other         discovered             2  000_16a33d4f32bdc8d1.txt:13:115 “U.S.”
    "#]]
    .assert_eq(&run.stdout);

    let run = factls_in(dir.path(), &["names", "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let names = run.json();
    assert_mentions_slice(dir.path(), &names);
    for n in names["names"].as_array().unwrap() {
        assert_eq!(n["origin"], "discovered", "{}", n["name"]);
    }
    let count = |name: &str| mentions_of(&names, name).len();
    assert_eq!(count("Larry Krasner"), 9);
    assert_eq!(count("George Soros"), 5);
    assert_eq!(count("Immigration Reform Law Institute"), 4);
    assert_eq!(count("Dale Wilcox"), 2);
    assert_eq!(count("Matt O’Brien"), 1);
    assert_eq!(count("Immigration and Customs Enforcement"), 2);
    assert_eq!(count("George Gascón"), 1);
    let krasner = mentions_of(&names, "Larry Krasner");
    assert_eq!(krasner[6], (17, 163, 2173, 2180, "Krasner".to_string()), "`DA Krasner` without the KB alias");
}

/// Checking some files of a corpus still reads the others: a name they
/// introduce attributes a quotation here, a source they cite is not
/// "never cited" (`check` resolves only the files it reports).
#[test]
fn checking_some_files_reads_the_rest_of_the_corpus() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [
        ("profile.txt", "IRLI Executive Director Dale Wilcox called the plan “outrageous.”[^cited]\n"),
        ("followup.txt", "“Nothing in this follow-up changes our conclusion,” Wilcox said.\n"),
        (
            "sources.md",
            "[^cited]: https://example.org/cited \"Cited\", 2024-01-01\n[^unused]: https://example.org/unused \"Unused\", 2024-01-02\n",
        ),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let run = factls_in(dir.path(), &["check", "sources.md", "followup.txt"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect![[r#"
        followup.txt:1:1: information[quotation]: quotation `“Nothing in this follow-up changes our conclu…` is attributed to Dale Wilcox but has no source: cite where it was said with [^key]
        sources.md:2:1: hint[unused-source]: source `[^unused]` is never cited in the corpus
        0 errors, 0 warnings, 1 information, 1 hint in 2 files (2 documents checked)
    "#]]
    .assert_eq(&run.stdout);
}

/// A report is made a chunk of 256 files at a time, the next chunk while
/// the one before is written: 700 documents (three chunks, every third
/// one without a diagnostic) come out whole and in path order, in the
/// human and the JSON output alike.
#[test]
fn a_report_of_many_chunks_is_whole_and_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut expected = Vec::new();
    for i in 0..700 {
        let (name, text) = (format!("d{i:04}.txt"), format!("It cost ${i} million.\n"));
        if i % 3 == 0 {
            std::fs::write(dir.path().join(&name), "Nothing to report here.\n").expect("write");
            continue;
        }
        std::fs::write(dir.path().join(&name), text).expect("write");
        expected.push(format!("{name}:1:9: warning[money-figure]: money figure `${i} million` has no source: cite a source with [^key] in this sentence"));
    }
    let run = factls_in(dir.path(), &["check", "."]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.pop(),
        Some("0 errors, 466 warnings, 0 information, 0 hints in 466 files (700 documents checked)")
    );
    assert_eq!(lines, expected);

    let run = factls_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let json = run.json();
    let listed: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {}[{}]: {}",
                d["file"].as_str().unwrap_or("?"),
                d["line"],
                d["column"],
                d["severity"].as_str().unwrap_or("?"),
                d["rule"].as_str().unwrap_or("?"),
                d["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(listed, expected);

    let run = factls_in(dir.path(), &["check", "--format", "sarif", "."]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let sarif = run.json();
    let listed: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            format!(
                "{}:{}:{}: {}[{}]: {}",
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or("?"),
                region["startLine"],
                region["startColumn"],
                r["level"].as_str().unwrap_or("?"),
                r["ruleId"].as_str().unwrap_or("?"),
                r["message"]["text"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(listed, expected);
}

// ------------------------------------------------------- fixtures corpus

#[test]
fn check_fixture_corpus_whole_output() {
    let run = factls(&["check", "tests/fixtures/corpus"]);
    assert_eq!(run.code, 1, "an undefined citation is an error");
    assert_eq!(run.stderr, "");
    expect_file!["expected/check_corpus.txt"].assert_eq(&run.stdout);
    assert_positions_match_quotes(&repo(), &run.stdout);

    let reported = parse_human(&run.stdout);
    let find = |file: &str, line: usize| -> Vec<String> {
        reported
            .iter()
            .filter(|r| r.file == format!("tests/fixtures/corpus/{file}") && r.line == line)
            .map(|r| format!("{}:{} {}[{}]", r.line, r.col, r.severity, r.rule))
            .collect()
    };
    // The undefined key is an error; the count it claims to back is unsourced.
    assert_eq!(
        find("002_roundup.txt", 5),
        ["5:80 warning[count]", "5:137 error[undefined-citation]", "5:176 warning[percentage]"]
    );
    // Cited money figure not reported; the uncited one is.
    assert_eq!(find("001_followup.txt", 7), Vec::<String>::new());
    assert_eq!(find("002_roundup.txt", 7), ["7:47 warning[money-figure]"]);
    // `U.S.[^inquirer-2024] As of 2023, …`: the citation backs the first
    // sentence (the $40 million) only. Columns count the emoji as one
    // character.
    assert_eq!(find("001_followup.txt", 9), ["9:126 warning[vague-linkage]", "9:170 warning[percentage]"]);
    assert_eq!(find("001_followup.txt", 11), ["11:24 warning[weasel-words]", "11:224 warning[claim-marker]"]);
    // The suppression comment silences the money figure of its line.
    assert_eq!(find("002_roundup.txt", 9), Vec::<String>::new());
    // Quotation with a cited local definition: sourced.
    assert_eq!(find("002_roundup.txt", 13), Vec::<String>::new());
    assert_eq!(find("sources.md", 4), ["4:1 hint[unused-source]"]);
    assert!(reported.iter().all(|r| r.file != "tests/fixtures/corpus/sources.md" || r.line == 4));
}

#[test]
fn names_fixture_corpus_cross_document() {
    let run = factls(&["names", "tests/fixtures/corpus"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    expect_file!["expected/names_corpus.txt"].assert_eq(&run.stdout);

    let run = factls(&["names", "--format", "json", "tests/fixtures/corpus"]);
    let names = run.json();
    assert_mentions_slice(&repo(), &names);
    let texts = |name: &str| -> Vec<String> {
        let entry = names["names"].as_array().unwrap().iter().find(|n| n["name"] == name).expect(name);
        entry["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let file = m["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
                format!("{file}:{}:{} {}", m["line"], m["column"], m["text"].as_str().unwrap())
            })
            .collect()
    };
    assert_eq!(
        texts("Jane Morrow"),
        [
            "002_roundup.txt:1:48 Jane Morrow",
            "002_roundup.txt:3:53 Morrow",
            "002_roundup.txt:7:1 Morrow",
            "002_roundup.txt:11:1 Morrow",
        ]
    );
    assert_eq!(
        texts("Center for Civic Data"),
        [
            "002_roundup.txt:5:5 Center for Civic Data",
            "002_roundup.txt:5:28 CCD",
            "002_roundup.txt:5:154 CCD",
            "002_roundup.txt:9:5 CCD",
        ]
    );
    // After the 📰 (one character, two UTF-16 units, four bytes).
    let soros = texts("George Soros");
    assert!(soros.contains(&"001_followup.txt:9:3 George Soros".to_string()), "{soros:?}");
    let emoji_line = &std::fs::read_to_string(repo().join("tests/fixtures/corpus/001_followup.txt")).unwrap();
    assert!(at(emoji_line, 9, 3).starts_with("George Soros"));
    for who in ["Jane Morrow", "Center for Civic Data"] {
        let entry = names["names"].as_array().unwrap().iter().find(|n| n["name"] == who).unwrap();
        assert_eq!(entry["origin"], "discovered");
    }
}

#[test]
fn check_fixture_corpus_json() {
    let run = factls(&["check", "--format", "json", "tests/fixtures/corpus"]);
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(
        v["summary"],
        serde_json::json!({"errors": 1, "warnings": 15, "information": 12, "hints": 1, "documents": 4})
    );
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 29);
    let undefined = diags.iter().find(|d| d["rule"] == "undefined-citation").expect("undefined citation");
    assert_eq!(
        *undefined,
        serde_json::json!({
            "file": "tests/fixtures/corpus/002_roundup.txt",
            "line": 5, "column": 137, "end_line": 5, "end_column": 151,
            "severity": "error", "rule": "undefined-citation",
            "message": "citation `[^missing-key]` is defined nowhere: add `[^missing-key]: <url>` to this document or to a sources file",
        })
    );
    let money = diags
        .iter()
        .find(|d| d["rule"] == "money-figure" && d["file"] == "tests/fixtures/corpus/000_seed.txt" && d["line"] == 19)
        .expect("seed money figure");
    assert_eq!((money["column"].as_u64(), money["end_column"].as_u64()), (Some(36), Some(55)));
    assert_eq!(money["severity"], "warning");
    // JSON and human output agree line for line.
    let human = parse_human(&factls(&["check", "tests/fixtures/corpus"]).stdout);
    assert_eq!(human.len(), diags.len());
    for (h, d) in human.iter().zip(diags) {
        assert_eq!(
            (h.file.as_str(), h.line as u64, h.col as u64, h.severity.as_str(), h.rule.as_str(), h.message.as_str()),
            (
                d["file"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap(),
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        );
    }
}

#[test]
fn check_fixture_corpus_sarif() {
    let run = factls(&["check", "--format", "sarif", "tests/fixtures/corpus"]);
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(v["version"], "2.1.0");
    let sarif_run = &v["runs"][0];
    let driver = &sarif_run["tool"]["driver"];
    assert_eq!(driver["name"], "factls");
    let rules = driver["rules"].as_array().expect("rules");
    let results = sarif_run["results"].as_array().expect("results");
    assert_eq!(results.len(), 29);
    for r in results {
        let level = r["level"].as_str().expect("level");
        assert!(["error", "warning", "note"].contains(&level), "{r}");
        let rule_id = r["ruleId"].as_str().expect("ruleId");
        assert!(!r["message"]["text"].as_str().expect("message").is_empty());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().expect("startLine") >= 1);
        assert!(region["startColumn"].as_u64().expect("startColumn") >= 1);
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], rule_id, "ruleIndex points at the rule");
    }
    let undefined = results.iter().find(|r| r["ruleId"] == "undefined-citation").expect("undefined");
    assert_eq!(undefined["level"], "error");
    assert_eq!(
        undefined["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/corpus/002_roundup.txt"
    );
    assert_eq!(
        undefined["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 5, "startColumn": 137, "endLine": 5, "endColumn": 151})
    );
    let hint = results.iter().find(|r| r["ruleId"] == "unused-source").expect("unused");
    assert_eq!(hint["level"], "note");
    let info = results
        .iter()
        .find(|r| r["ruleId"] == "quotation" && r["message"]["text"].as_str().unwrap().contains("Jane Morrow"))
        .expect("quotation");
    assert_eq!(info["level"], "note");
    // Each rule's default level is the rule's default severity.
    let level_of = |id: &str| rules.iter().find(|r| r["id"] == id).map(|r| r["defaultConfiguration"]["level"].clone());
    assert_eq!(level_of("undefined-citation"), Some("error".into()));
    assert_eq!(level_of("unused-source"), Some("note".into()));
    assert_eq!(level_of("money-figure"), Some("warning".into()));
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
}

// ----------------------------------------------------------- broken input

#[test]
fn broken_knowledge_base_is_reported_in_place() {
    let run = factls(&["check", "tests/fixtures/broken_kb"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    expect![[r#"
        tests/fixtures/broken_kb/entities.toml:15:6: error[kb-duplicate-id]: duplicate entity id `larry-krasner` (first defined in entities.toml:6)
        tests/fixtures/broken_kb/entities.toml:26:8: error[kb-unknown-kind]: unknown kind `planet` for `mars` (expected person, organization, place, law, event or other)
        tests/fixtures/broken_kb/entities.toml:36:22: warning[kb-ambiguous-alias]: ambiguous alias `DA`: it names `dale-wilcox` and `district-attorney`; used for none of them
        tests/fixtures/broken_kb/entities.toml:44:12: warning[kb-ambiguous-alias]: ambiguous alias `DA`: it names `dale-wilcox` and `district-attorney`; used for none of them
        2 errors, 2 warnings, 0 information, 0 hints in 1 file (1 document checked)
    "#]].assert_eq(&run.stdout);
}

#[test]
fn knowledge_base_syntax_error_and_the_article_still_checked() {
    let run = factls(&["check", "tests/fixtures/broken_kb_syntax"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    expect![[r#"
        tests/fixtures/broken_kb_syntax/entities.toml:7:17: error[kb-syntax]: invalid basic string, expected `"`
        1 error, 0 warnings, 0 information, 0 hints in 1 file (1 document checked)
    "#]]
    .assert_eq(&run.stdout);
    // The article is still analysed: its names are discovered.
    let run = factls(&["names", "tests/fixtures/broken_kb_syntax"]);
    assert_eq!(run.code, 0);
    expect![[r#"
        NAME           KIND          ORIGIN          MENTIONS  FIRST INTRODUCED
        Larry Krasner  person        discovered             2  tests/fixtures/broken_kb_syntax/article.txt:1:32 “Philadelphia District Attorney Larry Krasner”
    "#]].assert_eq(&run.stdout);
}

#[test]
fn missing_path_is_exit_2_and_the_rest_is_checked() {
    let run = factls(&["check", "does-not-exist", "seeds"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "factls: does-not-exist: no such file or directory\n");
    assert_eq!(run.stdout, factls(&["check", "seeds"]).stdout);
}

#[test]
fn unreadable_file_is_exit_2_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_corpus(&[(SEED, "a.txt"), ("tests/fixtures/hostile/bom.txt", "b.txt")]);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.path().join("a.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(dir.path().join("b.txt"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root, mode 000 does not stop reads: run factls as `nobody`.
    let as_root = std::fs::read(dir.path().join("b.txt")).is_ok();
    let run_as =
        |args: &[&str]| if as_root { factls_as_nobody(dir.path(), args) } else { Some(factls_in(dir.path(), args)) };
    let Some(run) = run_as(&["check"]) else {
        eprintln!("note: running as root without setpriv: unreadable-file assertions skipped");
        return;
    };
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "factls: b.txt: cannot read: permission denied\n");
    assert_eq!(summary(&run), "0 errors, 7 warnings, 10 information, 0 hints in 1 file (1 document checked)");
    // Named on the command line, it is the same I/O error.
    let run = run_as(&["check", "b.txt", "a.txt"]).expect("setpriv ran before");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "factls: b.txt: cannot read: permission denied\n");
}

#[test]
fn dangling_symlink_is_exit_2() {
    let dir = temp_corpus(&[(SEED, "a.txt")]);
    std::os::unix::fs::symlink("nowhere.txt", dir.path().join("gone.txt")).unwrap();
    let run = factls_in(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "factls: gone.txt: cannot read: no such file or directory\n");
    assert_eq!(summary(&run), "0 errors, 7 warnings, 10 information, 0 hints in 1 file (1 document checked)");
}

#[test]
fn hostile_inputs() {
    let files = ["bom.txt", "crlf.txt", "emoji.txt", "invalid_utf8.txt", "lone_cr.txt", "nul.txt"];
    let paths: Vec<String> = files.iter().map(|f| format!("tests/fixtures/hostile/{f}")).collect();
    let mut args = vec!["check"];
    args.extend(paths.iter().map(String::as_str));
    let run = factls(&args);
    assert_eq!(run.code, 0, "skipped files are not I/O errors");
    expect![[r#"
        factls: tests/fixtures/hostile/invalid_utf8.txt: skipped: not valid UTF-8 (at byte 26)
        factls: tests/fixtures/hostile/nul.txt: skipped: binary file (NUL byte at 7)
    "#]]
    .assert_eq(&run.stderr);
    expect![[r#"
        tests/fixtures/hostile/bom.txt:1:16: warning[money-figure]: money figure `$5 million` has no source: cite a source with [^key] in this sentence
        tests/fixtures/hostile/crlf.txt:2:13: warning[money-figure]: money figure `$40 million` has no source: cite a source with [^key] in this sentence
        tests/fixtures/hostile/emoji.txt:1:18: warning[money-figure]: money figure `$5 million` has no source: cite a source with [^key] in this sentence
        tests/fixtures/hostile/lone_cr.txt:2:13: warning[money-figure]: money figure `$40 million` has no source: cite a source with [^key] in this sentence
        0 errors, 4 warnings, 0 information, 0 hints in 4 files (4 documents checked)
    "#]].assert_eq(&run.stdout);
    assert_positions_match_quotes(&repo(), &run.stdout);
}

// ------------------------------------------------------------ factls.toml

#[test]
fn config_turns_rules_off_regrades_them_and_reports_a_bad_regex() {
    let dir = temp_corpus(&[(SEED, "a.txt")]);
    std::fs::write(dir.path().join("b.txt"), "The office reviewed 1,200 cases last year.\n").unwrap();
    std::fs::write(
        dir.path().join("factls.toml"),
        r#"# factls.toml for a test
[rules]
money-figure = "off"
count = "error"

[[custom-rule]]
id = "broken-rule"
pattern = '(unclosed'
message = "never"

[[custom-rule]]
id = "far-left"
pattern = '\bfar-left\b'
message = "loaded label"
severity = "hint"
"#,
    )
    .unwrap();
    let run = factls_in(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "the regrade and the bad regex are errors");
    assert_eq!(run.stderr, "");
    expect![[r#"
        factls.toml:8:11: error[config-invalid-regex]: custom rule `broken-rule`: invalid regex: unclosed group
        a.txt:1:75: warning[vague-linkage]: vague linkage `linked to` has no source: say what the link is and cite a source with [^key]
        a.txt:1:258: information[allegation]: allegation `alleges` is attributed to Immigration Reform Law Institute but has no source: cite where it was said with [^key]
        a.txt:5:31: information[quotation]: quotation `“is reducing charges, no matter what crimes a…` is attributed to Immigration Reform Law Institute but has no source: cite where it was said with [^key]
        a.txt:5:250: information[allegation]: allegation `alleges` is attributed to Immigration Reform Law Institute but has no source: cite where it was said with [^key]
        a.txt:9:62: information[quotation]: quotation `“outrageous.”` is attributed to Dale Wilcox but has no source: cite where it was said with [^key]
        a.txt:11:1: information[quotation]: quotation `“He is directly contradicting the purpose of…` is attributed to Dale Wilcox but has no source: cite where it was said with [^key]
        a.txt:11:170: information[quotation]: quotation `“Krasner’s lenient approach to law enforcemen…` is attributed to Dale Wilcox but has no source: cite where it was said with [^key]
        a.txt:15:19: information[allegation]: allegation `suggests that` is attributed to Immigration Reform Law Institute but has no source: cite where it was said with [^key]
        a.txt:17:1: information[quotation]: quotation `“It is utterly shocking that any DA’s office…` is attributed to Matt O’Brien but has no source: cite where it was said with [^key]
        a.txt:17:146: information[quotation]: quotation `“Essentially, DA Krasner is rewarding foreign…` is attributed to Matt O’Brien but has no source: cite where it was said with [^key]
        a.txt:19:10: information[event-date]: event date `elected in 2017` has no source: cite a source with [^key] in this sentence
        a.txt:19:63: warning[vague-linkage]: vague linkage `Soros-linked` has no source: say what the link is and cite a source with [^key]
        a.txt:19:149: warning[vague-linkage]: vague linkage `Soros-backed` has no source: say what the link is and cite a source with [^key]
        a.txt:23:63: hint[far-left]: loaded label `far-left` has no source: cite a source with [^key] in this sentence
        a.txt:23:127: warning[vague-linkage]: vague linkage `Soros-backed` has no source: say what the link is and cite a source with [^key]
        a.txt:23:171: warning[percentage]: percentage `at least 20 percent` has no source: cite a source with [^key] in this sentence
        b.txt:1:21: error[count]: count `1,200 cases` has no source: cite a source with [^key] in this sentence
        2 errors, 5 warnings, 10 information, 1 hint in 3 files (2 documents checked)
    "#]].assert_eq(&run.stdout);
    assert!(!run.stdout.contains("money-figure"), "money-figure is off");
    let reported = parse_human(&run.stdout);
    let count = reported.iter().find(|r| r.rule == "count").expect("count");
    assert_eq!((count.file.as_str(), count.line, count.col, count.severity.as_str()), ("b.txt", 1, 21, "error"));
    let custom = reported.iter().find(|r| r.rule == "far-left").expect("custom rule");
    assert_eq!((custom.file.as_str(), custom.line, custom.col, custom.severity.as_str()), ("a.txt", 23, 63, "hint"));
    let bad = &reported[0];
    assert_eq!(
        (bad.file.as_str(), bad.line, bad.col, bad.rule.as_str()),
        ("factls.toml", 8, 11, "config-invalid-regex")
    );
    assert!(bad.message.contains("`broken-rule`"), "{}", bad.message);
    assert_positions_match_quotes(dir.path(), &run.stdout);

    // SARIF: the same results, each pointing at its rule by index; the
    // rules every rule that can report, the custom one and the config's
    // code at the level they report with; the layout serde_json's own.
    let human = reported;
    let run = factls_in(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let sarif = run.json();
    assert_eq!(format!("{}\n", serde_json::to_string_pretty(&sarif).expect("json")), run.stdout);
    let rules: Vec<String> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["id"].as_str().unwrap_or("?"),
                r["defaultConfiguration"]["level"].as_str().unwrap_or("?")
            )
        })
        .collect();
    expect![[r#"
        allegation warning
        claim-marker warning
        config-invalid-regex error
        count warning
        duplicate-source warning
        empty-source warning
        event-date note
        far-left note
        money-figure warning
        peacock-term note
        percentage warning
        quotation warning
        ranking warning
        superlative warning
        sweeping-generalization warning
        undefined-citation error
        unused-source note
        vague-linkage warning
        weasel-words warning
    "#]]
    .assert_eq(&(rules.join("\n") + "\n"));
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), human.len());
    for (r, h) in results.iter().zip(&human) {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index].split(' ').next(), Some(h.rule.as_str()));
        assert_eq!(r["ruleId"].as_str(), Some(h.rule.as_str()));
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(h.line as u64), Some(h.col as u64))
        );
    }
}

#[test]
fn a_symlink_out_of_the_corpus_is_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.txt"), "It cost $9 million.\n").expect("secret");
    let corpus = tempfile::tempdir().expect("tempdir");
    std::fs::write(corpus.path().join("a.txt"), "It cost $1 million.\n").expect("a");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), corpus.path().join("link.txt")).expect("link");
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_factls")).arg("check").arg(corpus.path()).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("$9 million"), "{stdout}");
    assert!(stdout.contains("$1 million"), "{stdout}");
    assert!(stderr.contains("link.txt: skipped: a link to a file outside the corpus root"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

/// The allocator runs with the settings `src/alloc.rs` gives it: jemalloc
/// ignores a setting it cannot read (with a warning on stderr), so a
/// mistyped one would silently bring back the defaults.
#[cfg(all(feature = "jemalloc", target_os = "linux"))]
#[test]
fn the_allocator_runs_with_its_settings() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factls"))
        .arg("--version")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Invalid conf"), "{stderr}");
    for setting in [
        "opt.background_thread: true",
        "opt.dirty_decay_ms: 50",
        "opt.muzzy_decay_ms: 0",
        "opt.percpu_arena: \"percpu\"",
        "opt.tcache_max: 8192",
    ] {
        assert!(stderr.lines().any(|l| l.trim().starts_with(setting)), "{setting} missing:\n{stderr}");
    }
}
