// The hubtable command-line client against a real server: exit codes,
// one-line errors, --json output and where the session token lives.

#include <arpa/inet.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include "absl/time/time.h"
#include "tests/integration/harness.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }

  CommandResult hubtable(const std::string& user, const std::vector<std::string>& args,
                         const std::filesystem::path& profile = {}) {
    return cli_.run(user, args, profile);
  }
  std::string secret_file(const std::string& name, const std::string& value) {
    return cli_.secret_file(name, value);
  }
  CommandResult first_login(const std::string& user, const std::string& totp = "") {
    return cli_.first_login(user, totp);
  }

  // After the meeting scenario: one situation, accepted, led by mh,
  // intervened, closed.
  void expect_reports(const std::vector<std::string>& canaries) {
    std::string everything;
    auto text = hubtable("chair.one", {"report", "summary"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Situations submitted, by decision (submitted: 1)"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("Partnership health"), std::string::npos) << text.out;
    auto json = hubtable("chair.one", {"report", "summary", "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    v1::ReportSummary summary;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &summary).ok()) << json.out;
    ASSERT_GT(summary.breakdowns_size(), 0);
    EXPECT_EQ(summary.breakdowns(0).key(), "decisions");
    EXPECT_EQ(summary.breakdowns(0).rows(0).count(), 1U);
    auto csv = hubtable("chair.one", {"report", "summary", "--format", "csv"});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(csv.out.rfind("section,code,label,measure,value\n", 0), 0U) << csv.out;
    EXPECT_NE(csv.out.find("\ndecisions,ACCEPTED,Accepted (acutely elevated risk),count,1\n"),
              std::string::npos)
        << csv.out;
    auto pub = hubtable("chair.one", {"report", "public"});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    EXPECT_NE(pub.out.find("  Accepted (acutely elevated risk)"), std::string::npos);
    EXPECT_NE(pub.out.find("<5"), std::string::npos) << pub.out;
    EXPECT_EQ(pub.out.find("Partnership health"), std::string::npos) << pub.out;
    auto exported = hubtable("chair.one", {"report", "export", "--format", "rtd-csv"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    const auto lines = std::count(exported.out.begin(), exported.out.end(), '\n');
    EXPECT_EQ(lines, 2) << exported.out;  // the header and the one situation
    EXPECT_EQ(exported.out.rfind("record,table,submitted_month,", 0), 0U) << exported.out;
    EXPECT_NE(exported.out.find(",ACCEPTED,"), std::string::npos) << exported.out;
    const auto html_path = server_.deployment().scratch() / "report.html";
    auto html = hubtable("chair.one",
                         {"report", "summary", "--format", "html", "--out", html_path.string()});
    ASSERT_EQ(html.exit_code, 0) << html.err;
    const std::string page = read_file(html_path);
    everything = text.out + json.out + csv.out + pub.out + exported.out + page;
    for (const auto& c : canaries) EXPECT_EQ(everything.find(c), std::string::npos) << c;

    // The page renders in a browser with no network: each of the four
    // charts draws marks of a visible size.
    const auto profile = server_.deployment().scratch() / "chromium";
    auto dom = run_command(
        {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--user-data-dir=" + profile.string(), "--dump-dom",
         "file://" + html_path.string()},
        {{"HOME", server_.deployment().scratch().string()}}, std::chrono::seconds(120));
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    EXPECT_NE(dom.out.find("data-rendered=\"4\""), std::string::npos) << dom.out;
    for (const char* chart : {"risk_categories", "intervention_outcomes", "lead_load", "months"}) {
      const auto at = dom.out.find(std::string("data-chart=\"") + chart + "\"");
      ASSERT_NE(at, std::string::npos) << chart;
      const auto tag = dom.out.substr(at, dom.out.find('>', at) - at);
      EXPECT_NE(tag.find("data-drawn=\""), std::string::npos) << tag;
      EXPECT_EQ(tag.find("data-drawn=\"0\""), std::string::npos) << chart << ": " << tag;
    }

    auto rep = hubtable("rep.police", {"report", "summary"});
    EXPECT_EQ(rep.exit_code, 1);
    EXPECT_NE(rep.err.find("(rule report.chairs_and_privacy_officers)"), std::string::npos)
        << rep.err;
    // The server says it in product words; the command line adds its flags.
    auto backwards =
        hubtable("chair.one", {"report", "summary", "--from", "2026-03-01", "--to", "2026-02-01"});
    EXPECT_EQ(backwards.exit_code, 1);
    EXPECT_NE(backwards.err.find("its start must come before its end (rule report.bad_period); "
                                 "--from must come before --to\n"),
              std::string::npos)
        << backwards.err;
    EXPECT_EQ(hubtable("chair.one", {"report", "summary", "--from", "last week"}).exit_code, 2);
    EXPECT_EQ(hubtable("chair.one", {"report", "summary", "--format", "pdf"}).exit_code, 2);
  }

  RunningServer server_;
  CommandLine cli_{server_};
};

TEST_F(Cli, RepLogsInShowsWhoamiAsJsonAndLogsOut) {
  auto login = first_login("rep.police");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_NE(login.out.find("Logged in as rep.police (password changed)"), std::string::npos);
  EXPECT_NE(login.out.find("times are in America/Toronto"), std::string::npos) << login.out;

  // The token is kept in a private file under $XDG_RUNTIME_DIR, never in the profile.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(cli_.runtime_dir() / "hubtable")) {
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ++files;
  }
  EXPECT_EQ(files, 1);
  std::set<std::string> in_profile;
  for (const auto& e :
       std::filesystem::directory_iterator(server_.deployment().profile("rep.police"))) {
    in_profile.insert(e.path().filename().string());
  }
  EXPECT_EQ(in_profile,
            (std::set<std::string>{"audit-signing.pub", "browser-setup.html", "ca.crt",
                                   "client.crt", "client.key", "client.p12",
                                   "client.p12-passphrase", "one-time-password", "profile.toml"}));

  auto who = hubtable("rep.police", {"whoami", "--json"});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  v1::WhoAmIResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(who.out, &parsed).ok()) << who.out;
  EXPECT_EQ(parsed.username(), "rep.police");
  EXPECT_EQ(parsed.agency(), "police");
  EXPECT_EQ(parsed.roles(0).role(), v1::REP);
  EXPECT_EQ(parsed.roles(0).time_zone(), "America/Toronto");
  EXPECT_EQ(parsed.time_zone(), "America/Toronto");

  // Times are the table's, to the minute, with no offset unless asked.
  auto human = hubtable("rep.police", {"whoami"});
  EXPECT_NE(human.out.find("REP at t1 (Test Table, America/Toronto)"), std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find("times:    America/Toronto\n"), std::string::npos) << human.out;
  const auto ends_at = [](const std::string& out) {
    const auto at = out.find("ends by ");
    return at == std::string::npos ? std::string()
                                   : out.substr(at + 8, out.find('\n', at) - at - 8);
  };
  const absl::Time ends = absl::FromUnixMicros(parsed.session_absolute_expires_at_us());
  absl::TimeZone toronto;
  ASSERT_TRUE(absl::LoadTimeZone("America/Toronto", &toronto));
  EXPECT_EQ(ends_at(human.out), absl::FormatTime("%a %Y-%m-%d %H:%M", ends, toronto)) << human.out;
  auto offsets = hubtable("rep.police", {"whoami", "--utc-offsets"});
  EXPECT_EQ(ends_at(offsets.out), absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", ends, toronto))
      << offsets.out;

  EXPECT_EQ(hubtable("rep.police", {"logout"}).exit_code, 0);
  auto after = hubtable("rep.police", {"whoami"});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.err.find("not logged in"), std::string::npos);
}

TEST_F(Cli, ChairLogsInWithAnAuthenticatorCodeAndJsonHidesTheToken) {
  const std::string code = server_.deployment().totp("chair.one", std::time(nullptr));
  auto login = first_login("chair.one", code);
  ASSERT_EQ(login.exit_code, 0) << login.err;
  auto json =
      hubtable("chair.one", {"login", "--json", "--password-file", secret_file("pw", kNewPassword),
                             "--totp-file", secret_file("code2", code)});
  // Same code again: refused as reused, exit 1, one line naming the rule.
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.err.find("already used"), std::string::npos) << json.err;
  EXPECT_NE(json.err.find("(rule auth.totp_reused)"), std::string::npos);
  auto who = hubtable("chair.one", {"whoami", "--json"});
  v1::WhoAmIResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(who.out, &parsed).ok()) << who.err;
  EXPECT_EQ(parsed.roles(0).role(), v1::CHAIR);
}

TEST_F(Cli, LoginJsonNeverPrintsTheSessionToken) {
  auto login =
      hubtable("rep.mh", {"login", "--json", "--password-file",
                          (server_.deployment().profile("rep.mh") / "one-time-password").string(),
                          "--new-password-file", secret_file("n", kNewPassword)});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  v1::LoginResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(login.out, &parsed).ok()) << login.out;
  EXPECT_TRUE(parsed.session_token().empty());
  EXPECT_GT(parsed.absolute_expires_at_us(), 0);
}

TEST_F(Cli, WrongPasswordIsOneClearLineWithExitOne) {
  auto r = hubtable("rep.police", {"login", "--password-file", secret_file("bad", "wrong-one")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "hubtable: UNAUTHENTICATED: login failed: wrong username, password or authentication "
            "code (rule auth.bad_credentials)\n");
}

TEST_F(Cli, ServerDownIsExitThree) {
  ASSERT_EQ(server_.stop(), 0);
  // A port bound but not listening refuses connections, and unlike the
  // stopped server's port no test running in parallel can take it.
  const int held = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(held, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API.
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&addr), len), 0);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API.
  ASSERT_EQ(::getsockname(held, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string closed = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto r = hubtable("rep.police",
                    {"login", "--server", closed, "--password-file", secret_file("pw", "x")});
  ::close(held);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cannot connect to " + closed), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST_F(Cli, WrongCaIsExitThree) {
  TestDeployment other{TestDeployment::Separate{}};
  const auto copy = server_.deployment().scratch() / "wrong-ca-profile";
  std::filesystem::copy(server_.deployment().profile("rep.police"), copy);
  std::filesystem::copy_file(other.profile("rep.police") / "ca.crt", copy / "ca.crt",
                             std::filesystem::copy_options::overwrite_existing);
  auto r = hubtable("rep.police", {"whoami"}, copy);
  // No session yet for this profile: log in instead, which must fail at TLS.
  r = hubtable("rep.police", {"login", "--password-file", secret_file("pw", "x")}, copy);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not from this profile's CA"), std::string::npos) << r.err;
}

TEST_F(Cli, VocabListShowsAKindAsTextAndJson) {
  ASSERT_EQ(first_login("rep.mh").exit_code, 0);
  auto text = hubtable("rep.mh", {"vocab", "list", "risk_category"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 28);  // heading + 27
  EXPECT_NE(text.out.find("  ALC   Alcohol\n"), std::string::npos) << text.out;
  auto json = hubtable("rep.mh", {"vocab", "list", "sector", "--json"});
  v1::ListVocabularyResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok()) << json.out;
  ASSERT_EQ(parsed.entries_size(), 20);
  EXPECT_EQ(parsed.entries(0).details().at("typical_risk_categories"), "CRI;CVI;PHV;GNG;MIS;THR");
  auto bad = hubtable("rep.mh", {"vocab", "list", "colour"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("(rule vocabulary.unknown_kind)"), std::string::npos);
}

// Every command's --help ends with an example of its use: walked from the
// top-level help down every "Subcommands:" list, so a new command without one
// fails here.
TEST_F(Cli, EveryCommandsHelpGivesAnExampleAndTheGlobalOptions) {
  std::vector<std::vector<std::string>> todo = {{}};
  int leaves = 0;
  while (!todo.empty()) {
    std::vector<std::string> path = todo.back();
    todo.pop_back();
    std::vector<std::string> argv = {hubtable_path()};
    argv.insert(argv.end(), path.begin(), path.end());
    argv.emplace_back("--help");
    const auto help = run_command(argv);
    ASSERT_EQ(help.exit_code, 0) << help.err;
    const auto at = help.out.find("Subcommands:\n");
    if (at == std::string::npos) {
      ++leaves;
      EXPECT_NE(help.out.find("\nExample:\n  hubtable "), std::string::npos)
          << "hubtable " << ::testing::PrintToString(path) << " --help:\n"
          << help.out;
      // The global options work after the command's name too.
      for (const char* global : {"--profile", "--server", "--json", "--utc-offsets"}) {
        EXPECT_NE(help.out.find(std::string("  ") + global), std::string::npos)
            << global << " in hubtable " << ::testing::PrintToString(path) << " --help";
      }
      continue;
    }
    std::istringstream lines(help.out.substr(at + 13));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  ", 0) != 0) break;
      std::istringstream words(line);
      std::string name;
      words >> name;
      auto next = path;
      next.push_back(name);
      todo.push_back(next);
    }
  }
  EXPECT_GE(leaves, 40);
}

TEST_F(Cli, DeidCheckExitsZeroWhenCleanAndOneWithFindings) {
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  const std::string clean =
      secret_file("clean.txt", "A 16-year-old in Grade 10 missed school twice last week.");
  auto ok = hubtable("rep.police", {"deid", "check", clean});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "clean: no likely identifiers found\n");
  const std::string draft = secret_file("draft.txt", "Her brother Kevin lives at 42 Maple Street.");
  auto found = hubtable("rep.police", {"deid", "check", draft});
  EXPECT_EQ(found.exit_code, 1);
  // The draft is the user's own, on their own terminal: shown with each finding in place.
  EXPECT_EQ(found.out,
            "PERSON_NAME at characters 12-17\nSTREET_ADDRESS at characters 27-42\n\n"
            "In your draft:\nHer brother [PERSON_NAME: Kevin] lives at "
            "[STREET_ADDRESS: 42 Maple Street].\n");
  auto json = hubtable("rep.police", {"deid", "check", "--json", draft});
  EXPECT_EQ(json.exit_code, 1);
  v1::DeidCheckResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok()) << json.out;
  EXPECT_EQ(parsed.findings_size(), 2);
  EXPECT_EQ(parsed.findings(1).category(), "STREET_ADDRESS");
}

TEST_F(Cli, FilesThatCannotBeSentAreUsageErrorsNamingWhy) {
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  auto submit = [&](const std::string& narrative) {
    const auto path = server_.deployment().scratch() / "narrative.txt";
    write_file(path, narrative);
    return hubtable("rep.police", {"situation", "submit", "--type", "PERSON", "--age-band", "16-17",
                                   "--gender", "F", "--risk-factor", "MEN-SUSP", "--narrative-file",
                                   path.string(), "--attest"});
  };
  auto latin1 = submit("Missed school; caf\xe9 visits at night.");
  EXPECT_EQ(latin1.exit_code, 2) << latin1.err;
  EXPECT_EQ(latin1.err, "hubtable: narrative is not UTF-8 text (byte 19): save it as UTF-8\n");
  auto huge = submit(std::string(2 << 20, 'a'));
  EXPECT_EQ(huge.exit_code, 2) << huge.err;
  EXPECT_NE(huge.err.find("over the limit of 1048576 bytes a request may take"), std::string::npos)
      << huge.err;
  // Windows line endings are line endings.
  auto crlf = submit("Missed school for weeks.\r\nFound intoxicated twice.\r\n");
  EXPECT_EQ(crlf.exit_code, 0) << crlf.err;
}

TEST_F(Cli, WhatTheServerSendsIsPrintedAsDataWhateverItHolds) {
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  const std::string narrative = secret_file("narrative.txt", "Missed school for weeks.");
  auto submitted = hubtable("rep.police", {"situation", "submit", "--type", "PERSON", "--age-band",
                                           "16-17", "--gender", "F", "--risk-factor", "MEN-SUSP",
                                           "--narrative-file", narrative, "--attest", "--json"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  v1::SubmitSituationResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(submitted.out, &parsed).ok());
  const std::string id = parsed.situation().id();
  // A record written before the server refused control characters (or by
  // anything else): the client must not hand its bytes to the terminal.
  {
    auto d = provision::open_deployment(server_.deployment().config_path(), 1, false);
    ASSERT_TRUE(d.ok()) << d.status();
    const std::string planted = std::string("Seen \x1b]0;pwned\x07 then ") +
                                std::string("\0hidden", 7) +
                                " and \xe2\x80\xae"
                                "desrever\xc2\x9b";
    auto s = d->db->write([&](store::Connection& c) {
      auto st = c.prepare("UPDATE situations SET narrative = ?1 WHERE id = ?2");
      if (!st.ok()) return st.status();
      st->bind(1, planted).bind(2, id);
      return st->run();
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  auto shown = hubtable("rep.police", {"situation", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  for (const std::string& raw : {std::string("\x1b"), std::string(1, '\0'), std::string("\x07"),
                                 std::string("\xe2\x80\xae"), std::string("\xc2\x9b")}) {
    EXPECT_EQ(shown.out.find(raw), std::string::npos) << "raw control byte reached the terminal";
  }
  EXPECT_NE(shown.out.find("Seen \\x1b]0;pwned\\x07 then \\x00hidden and \\u{202e}desrever"),
            std::string::npos)
      << shown.out;
  auto json = hubtable("rep.police", {"situation", "show", id, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(json.out.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(json.out.find("\xc2\x9b"), std::string::npos);
  v1::ShowSituationResponse again;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &again).ok()) << json.out;
  EXPECT_NE(again.situation().narrative().find(std::string("\0hidden", 7)), std::string::npos)
      << "JSON keeps the data, escaped";
}

TEST_F(Cli, ATableWithMoreSituationsThanOneAnswerHoldsIsListedWhole) {
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  // 1,200 situations with 1,000-character narratives: 1.2 MB, more than a
  // frame (the review's table of about 1,100 broke `situation list`).
  constexpr int kSituations = 1200;
  {
    auto d = provision::open_deployment(server_.deployment().config_path(), 1, false);
    ASSERT_TRUE(d.ok()) << d.status();
    auto s = d->db->write([&](store::Connection& c) -> absl::Status {
      auto q = c.prepare(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
          "INSERT INTO situations (id, table_id, originating_agency_id, submitted_by, "
          "submitted_us, filter1_attested_us, state, situation_type, age_band, gender, "
          "narrative) SELECT printf('00000-%05d', i), t.id, a.id, u.id, 1764000000000000 + i, "
          "1764000000000000 + i, 'AWAITING_DECISION', 'PERSON', '16-17', 'F', ?2 FROM n, "
          "situation_tables t, agencies a, users u WHERE t.code = 't1' AND a.code = 'police' "
          "AND u.username = 'rep.police'");
      if (!q.ok()) return q.status();
      q->bind(1, std::int64_t{kSituations}).bind(2, std::string(1000, 'n'));
      return q->run();
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  auto text = hubtable("rep.police", {"situation", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), kSituations + 1);  // and a heading
  auto json = hubtable("rep.police", {"situation", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::ListSituationsResponse all;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &all).ok());
  EXPECT_EQ(all.situations_size(), kSituations);
  EXPECT_TRUE(all.next_page_token().empty());
  std::set<std::string> ids;
  for (const auto& s : all.situations()) ids.insert(s.id());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kSituations));
}

TEST_F(Cli, UsageErrorsAreExitTwo) {
  EXPECT_EQ(run_command({hubtable_path(), "frobnicate"}).exit_code, 2);
  auto r = run_command({hubtable_path(), "whoami"}, {{"HUBTABLE_PROFILE", ""}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no profile"), std::string::npos);
  EXPECT_EQ(run_command({hubtable_path(), "--profile", "/nonexistent", "whoami"}).exit_code, 2);
}

TEST(CliSession, ExpiredSessionIsOneClearLine) {
  RunningServer server(std::string(kTestLimits) + "session_idle_timeout_ms = 1000\n");
  server.start();
  const auto runtime = server.deployment().scratch() / "run";
  std::filesystem::create_directories(runtime);
  ::chmod(runtime.c_str(), 0700);
  const auto np = server.deployment().scratch() / "np";
  write_file(np, std::string(kNewPassword) + "\n");
  const std::map<std::string, std::string> env = {{"XDG_RUNTIME_DIR", runtime.string()}};
  const std::vector<std::string> base = {hubtable_path(), "--profile",
                                         server.deployment().profile("rep.mh").string(), "--server",
                                         server.address()};
  auto with = [&](std::vector<std::string> extra) {
    auto argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, env);
  };
  ASSERT_EQ(with({"login", "--password-file",
                  (server.deployment().profile("rep.mh") / "one-time-password").string(),
                  "--new-password-file", np.string()})
                .exit_code,
            0);
  // The idle timeout is the condition under test: let it pass.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto r = with({"whoami"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "hubtable: UNAUTHENTICATED: session expired after inactivity: log in again (rule "
            "session.expired)\n");
}

}  // namespace
}  // namespace hubtable::testing

namespace hubtable::testing {
namespace {

TEST_F(Cli, AMeetingRunsFromTheCommandLine) {
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  ASSERT_EQ(cli_.first_login_with_totp("chair.one").exit_code, 0);
  const std::string narrative = secret_file(
      "narrative.txt", "A 16-year-old in Grade 10 was found intoxicated twice last week.");
  // A code mistyped: the option the user typed, and the closest codes.
  auto mistyped = hubtable(
      "rep.police", {"situation", "submit", "--type", "PERSN", "--age-band", "16-17", "--gender",
                     "F", "--risk-factor", "MEN-SUSP", "--narrative-file", narrative, "--attest"});
  EXPECT_EQ(mistyped.exit_code, 1);
  EXPECT_NE(mistyped.err.find("--type: unknown code; the closest: PERSON"), std::string::npos)
      << mistyped.err;
  // Codes in any case.
  std::vector<std::string> submit = {"situation",        "submit",
                                     "--type",           "person",
                                     "--age-band",       "16-17",
                                     "--gender",         "f",
                                     "--risk-factor",    "men-susp,ALC-ABUSE",
                                     "--narrative-file", narrative};
  auto unattested = hubtable("rep.police", submit);
  EXPECT_EQ(unattested.exit_code, 1);
  EXPECT_NE(unattested.err.find("(rule situation.filter1_not_attested)"), std::string::npos)
      << unattested.err;
  EXPECT_EQ(hubtable("rep.police", {"situation", "submit", "--attest"}).exit_code, 2);
  submit.emplace_back("--attest");
  auto submitted = hubtable("rep.police", submit);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  ASSERT_EQ(submitted.out.rfind("Submitted ", 0), 0u) << submitted.out;
  const std::string id = submitted.out.substr(10, 11);
  EXPECT_NE(submitted.out.find("it will be heard at t1-"), std::string::npos) << submitted.out;

  auto opened = hubtable("chair.one", {"meeting", "open", "--unscheduled"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_NE(opened.out.find(id), std::string::npos) << opened.out;
  auto checked = hubtable("rep.police", {"meeting", "checkin"});
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("as REP for police"), std::string::npos) << checked.out;
  // The chair names the situation by its agenda line.
  auto decided = hubtable("chair.one", {"situation", "decide", "1", "--accept"});
  ASSERT_EQ(decided.exit_code, 0) << decided.err;
  EXPECT_EQ(decided.out.rfind("Accepted " + id, 0), 0u) << decided.out;
  EXPECT_EQ(hubtable("chair.one", {"situation", "decide", id}).exit_code, 2);
  auto no_line = hubtable("chair.one", {"situation", "show", "9"});
  EXPECT_EQ(no_line.exit_code, 2);
  EXPECT_NE(no_line.err.find("the open meeting's agenda has no line 9"), std::string::npos)
      << no_line.err;
  // A slip, undone at the same meeting: the CLI says how.
  auto twice = hubtable("chair.one", {"situation", "decide", id, "--reject", "NOT_AER"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("--correct"), std::string::npos) << twice.err;
  auto corrected =
      hubtable("chair.one", {"situation", "decide", id, "--correct", "--reject", "not_aer"});
  ASSERT_EQ(corrected.exit_code, 0) << corrected.err;
  EXPECT_EQ(corrected.out.rfind("Rejected " + id + " (NOT_AER) (corrected)", 0), 0u)
      << corrected.out;
  auto back = hubtable("chair.one", {"situation", "decide", id, "--correct", "--accept"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.out.rfind("Accepted " + id, 0), 0u) << back.out;
  auto closed = hubtable("chair.one", {"meeting", "close"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_NE(
      closed.out.find("1 decided, 0 carried over to the next meeting, 2 decision(s) corrected"),
      std::string::npos)
      << closed.out;

  auto markdown = hubtable("rep.police", {"meeting", "minutes"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_EQ(markdown.out.rfind("# Minutes of t1-", 0), 0u) << markdown.out;
  EXPECT_NE(markdown.out.find("| police (Test Police) | 1 | 0 |"), std::string::npos)
      << markdown.out;
  EXPECT_NE(markdown.out.find("| 1 | " + id + " | new | PERSON | police | Accepted"),
            std::string::npos)
      << markdown.out;
  EXPECT_NE(markdown.out.find("- " + id + ": ACCEPTED corrected to REJECTED (NOT_AER) at "),
            std::string::npos)
      << markdown.out;
  EXPECT_EQ(markdown.out.find("intoxicated"), std::string::npos);
  auto json = hubtable("rep.police", {"meeting", "minutes", "--format", "json"});
  v1::MinutesResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok()) << json.out;
  ASSERT_EQ(parsed.items_size(), 1);
  EXPECT_EQ(parsed.items(0).outcome(), "ACCEPTED");
  EXPECT_EQ(hubtable("rep.police", {"meeting", "minutes", "--format", "pdf"}).exit_code, 2);

  auto shown = hubtable("rep.police", {"situation", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("intoxicated twice last week"), std::string::npos) << shown.out;
  auto listed = hubtable("rep.police", {"meeting", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("closed"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("scheduled"), std::string::npos) << listed.out;
  auto missing = hubtable("rep.police", {"situation", "show", "00000-00000"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos) << missing.err;

  // Filters 3 and 4 from the command line; identifiers come from a file.
  const std::string people = secret_file("people.toml", R"toml(
[[person]]
name = "Cliona Canaryfield"
date_of_birth = 2010-03-14
address = "9 Zzcli Road"
)toml");
  EXPECT_EQ(
      hubtable("rep.police", {"situation", "identify", id, "--people-file", people}).exit_code,
      2);  // --authority is required
  auto identified = hubtable("rep.police", {"situation", "identify", id, "--people-file", people,
                                            "--authority", "ON-MFIPPA-32-H"});
  ASSERT_EQ(identified.exit_code, 0) << identified.err;
  EXPECT_NE(identified.out.find("Sealed the identifiers of 1 person(s)"), std::string::npos)
      << identified.out;
  auto revealed = hubtable("rep.police", {"situation", "reveal", id});
  ASSERT_EQ(revealed.exit_code, 0) << revealed.err;
  EXPECT_NE(revealed.out.find("Cliona Canaryfield"), std::string::npos) << revealed.out;
  // The person asks what the table did with their information: the privacy
  // officer's statement, from the same kind of file, the name spelled as
  // they spell it.
  ASSERT_EQ(cli_.first_login_with_totp("po.one").exit_code, 0);
  const std::string asked = secret_file("person.toml", R"toml(
[[person]]
name = "CANARYFIELD, Cliona"
date_of_birth = 2010-03-14
)toml");
  const std::string reason =
      secret_file("request.txt", "Access request AR-2026-118, received at the front desk");
  EXPECT_EQ(hubtable("po.one", {"audit", "access-request", "--person-file", asked}).exit_code, 2);
  auto statement = hubtable(
      "po.one", {"audit", "access-request", "--person-file", asked, "--reason-file", reason});
  ASSERT_EQ(statement.exit_code, 0) << statement.err;
  EXPECT_NE(statement.out.find("1 situation(s) hold the person"), std::string::npos)
      << statement.out;
  EXPECT_NE(statement.out.find("Situation " + id), std::string::npos) << statement.out;
  EXPECT_NE(statement.out.find("rep.police/police (REP)  situation.identify"), std::string::npos)
      << statement.out;
  EXPECT_EQ(statement.out.find("Cliona"), std::string::npos) << statement.out;
  auto by_chair = hubtable(
      "chair.one", {"audit", "access-request", "--person-file", asked, "--reason-file", reason});
  EXPECT_EQ(by_chair.exit_code, 1);
  EXPECT_NE(by_chair.err.find("(rule access_statement.privacy_officers_only)"), std::string::npos)
      << by_chair.err;
  ASSERT_EQ(first_login("rep.mh").exit_code, 0);
  auto not_joined = hubtable("rep.mh", {"situation", "reveal", id});
  EXPECT_EQ(not_joined.exit_code, 1);
  EXPECT_NE(not_joined.err.find("(rule identifiers.agency_not_joined); your agency joins first: "
                                "`hubtable situation join ID`\n"),
            std::string::npos)
      << not_joined.err;
  EXPECT_EQ(not_joined.err.find("Canaryfield"), std::string::npos);
  ASSERT_EQ(hubtable("rep.mh", {"situation", "join", id}).exit_code, 0);
  auto suggested = hubtable("chair.one", {"situation", "assign", id, "--suggest"});
  ASSERT_EQ(suggested.exit_code, 0) << suggested.err;
  EXPECT_NE(suggested.out.find("mh         MENTAL_HEALTH leads on 1 of 2"), std::string::npos)
      << suggested.out;
  EXPECT_EQ(hubtable("chair.one", {"situation", "assign", id}).exit_code, 2);
  auto assigned = hubtable("chair.one", {"situation", "assign", id, "--lead", "mh"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.err;
  EXPECT_NE(assigned.out.find("lead:       mh"), std::string::npos) << assigned.out;
  auto due = hubtable("rep.mh", {"tasks"});
  ASSERT_EQ(due.exit_code, 0) << due.err;
  EXPECT_NE(due.out.find("acknowledge the lead assignment (hubtable situation ack " + id + ")"),
            std::string::npos)
      << due.out;
  ASSERT_EQ(hubtable("rep.mh", {"situation", "ack", id}).exit_code, 0);
  const std::string note = secret_file("plan.txt", "Knock at 16:00 with the school nurse.\n");
  ASSERT_EQ(hubtable("rep.mh", {"situation", "plan", id, "--note-file", note}).exit_code, 0);
  auto notes = hubtable("rep.mh", {"situation", "plan", id});
  EXPECT_NE(notes.out.find("Knock at 16:00"), std::string::npos) << notes.out;
  EXPECT_EQ(hubtable("rep.mh",
                     {"situation", "intervene", id, "--at", "yesterday", "--outcome", "CONSENTED"})
                .exit_code,
            2);
  // The lead types the time as the table's clock reads it; read as UTC or
  // as Regina's, it would be hours off and refused (future, or before the
  // decision).
  absl::TimeZone toronto;
  ASSERT_TRUE(absl::LoadTimeZone("America/Toronto", &toronto));
  const absl::Time soon = absl::Now() + absl::Minutes(2);
  const std::string typed = absl::FormatTime("%Y-%m-%d %H:%M", soon, toronto);
  auto intervened = hubtable("rep.mh", {"situation", "intervene", id, "--at", typed, "--outcome",
                                        "CONSENTED", "--agency", "police"});
  ASSERT_EQ(intervened.exit_code, 0) << intervened.err;
  auto recorded = hubtable("rep.mh", {"situation", "show", id});
  EXPECT_NE(recorded.out.find("intervention: " + absl::FormatTime("%a ", soon, toronto) + typed +
                              ", outcome CONSENTED"),
            std::string::npos)
      << typed << "\n"
      << recorded.out;
  auto no_reason = hubtable("chair.one", {"situation", "close", id});
  EXPECT_EQ(no_reason.exit_code, 1);
  EXPECT_NE(no_reason.err.find("(rule close.missing_reason)"), std::string::npos) << no_reason.err;
  auto closed_case =
      hubtable("chair.one", {"situation", "close", id, "--reason", "LOWERED_CONNECTED", "--service",
                             "MENTAL_HEALTH", "--json"});
  ASSERT_EQ(closed_case.exit_code, 0) << closed_case.err;
  v1::CloseSituationResponse closed_json;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(closed_case.out, &closed_json).ok())
      << closed_case.out;
  EXPECT_EQ(closed_json.situation().state(), v1::CLOSED);
  EXPECT_GT(closed_json.situation().purge_due_us(), closed_json.situation().closed_us());

  // The table's reports: none holds the identifiers, the narrative, the
  // plan or the situation's id, in any format.
  expect_reports({"Cliona", "Canaryfield", "Zzcli", "intoxicated", "Knock at 16:00", id});
}

// The privacy officer keeps a signed checkpoint, verifies the whole log from
// the client, and catches an insider's edit both from the client and with
// `hubtabled verify-audit` on the server host.
TEST_F(Cli, PrivacyOfficerVerifiesTheLogAndCatchesAnEdit) {
  ASSERT_EQ(cli_.first_login_with_totp("po.one").exit_code, 0);
  ASSERT_EQ(first_login("rep.police").exit_code, 0);
  const std::string saved = (server_.deployment().scratch() / "po-checkpoint.txt").string();
  auto first = hubtable("po.one", {"audit", "checkpoint", "--save", saved});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.rfind("Checkpoint: ", 0), 0u) << first.out;
  EXPECT_EQ(read_file(saved).rfind("hubtable/", 0), 0u);

  ASSERT_EQ(hubtable("rep.police", {"whoami"}).exit_code, 0);
  auto verified = hubtable("po.one", {"audit", "verify", "--since", saved});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out.rfind("Verified ", 0), 0u) << verified.out;
  EXPECT_NE(verified.out.find("Consistent with the saved checkpoint"), std::string::npos);
  auto json = hubtable("po.one", {"audit", "verify", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"verified\":true"), std::string::npos) << json.out;

  auto proved = hubtable("po.one", {"audit", "prove", "3", "--checkpoint", saved});
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  EXPECT_EQ(proved.out.rfind("Event 3 is in the log of ", 0), 0u) << proved.out;
  auto beyond = hubtable("po.one", {"audit", "prove", "999999"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.err.find("(rule audit.not_in_checkpoint)"), std::string::npos) << beyond.err;

  auto report = hubtable(
      "po.one", {"audit", "access-report", "--user", "rep.police", "--from", "2020-01-01"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out.rfind("Access report for rep.police from 2020-01-01: ", 0), 0u)
      << report.out;
  EXPECT_NE(report.out.find("session.whoami"), std::string::npos) << report.out;
  auto logins = hubtable("po.one", {"audit", "query", "--action", "auth.", "--json"});
  ASSERT_EQ(logins.exit_code, 0) << logins.err;
  EXPECT_NE(logins.out.find("\"auth.login\""), std::string::npos) << logins.out;
  // Bounds are the table's days and times, typed as people say them.
  EXPECT_EQ(hubtable("po.one", {"audit", "query", "--from", "yesterday"}).exit_code, 0);
  auto unread = hubtable("po.one", {"audit", "query", "--from", "last winter"});
  EXPECT_EQ(unread.exit_code, 2);
  EXPECT_NE(unread.err.find("--from: give a date (2026-11-22, the day's start)"), std::string::npos)
      << unread.err;
  auto none = hubtable("po.one", {"audit", "disclosures", "7K2M9-X4Q1D"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("NOT_FOUND"), std::string::npos) << none.err;

  // Reps do not read the audit log.
  auto rep = hubtable("rep.police", {"audit", "verify"});
  EXPECT_EQ(rep.exit_code, 1);
  EXPECT_NE(rep.err.find("(rule audit.auditors_only)"), std::string::npos) << rep.err;

  // A clean shutdown signs every event.
  ASSERT_EQ(server_.stop(), 0);
  const std::string config = server_.deployment().config_path().string();
  auto offline =
      run_command({hubtabled_path(), "verify-audit", "--config", config, "--since", saved});
  ASSERT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("audit log verified"), std::string::npos) << offline.out;
  EXPECT_EQ(offline.out.find("not signed yet"), std::string::npos) << offline.out;

  // An insider with the master key rewrites event 5.
  {
    auto d = provision::open_deployment(server_.deployment().config_path());
    ASSERT_TRUE(d.ok()) << d.status();
    const auto s = d->db->write([](store::Connection& c) {
      return c.exec(
          "DROP TRIGGER audit_events_no_update;"
          "UPDATE audit_events SET event = (SELECT event FROM audit_events WHERE seq = 4) "
          "WHERE seq = 5;");
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  auto caught = run_command({hubtabled_path(), "verify-audit", "--config", config});
  EXPECT_EQ(caught.exit_code, 1);
  EXPECT_NE(caught.out.find("FAILED at event 5: moved"), std::string::npos) << caught.out;

  server_.start();
  auto remote = hubtable("po.one", {"audit", "verify", "--since", saved});
  EXPECT_EQ(remote.exit_code, 1);
  EXPECT_NE(remote.err.find("audit log FAILED verification: event 5: moved"), std::string::npos)
      << remote.err;
  EXPECT_NE(remote.err.find("reported to the server (alert "), std::string::npos) << remote.err;

  // Both the client's report and the server's own check at start are alerts
  // for the privacy officers (the server's check runs on a worker: wait for it).
  std::string listed;
  for (int tries = 0; tries < 100; ++tries) {
    auto alerts = hubtable("po.one", {"audit", "alerts", "--kind", "verification_failed"});
    ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
    listed = alerts.out;
    if (listed.find("found by the server") != std::string::npos) break;
  }
  EXPECT_NE(listed.find("failed verification at event 5 (moved), found by the server"),
            std::string::npos)
      << listed;
  EXPECT_NE(listed.find("failed verification at event 5 (moved), reported by po.one"),
            std::string::npos)
      << listed;
  auto rep_alerts = hubtable("rep.police", {"audit", "alerts"});
  EXPECT_EQ(rep_alerts.exit_code, 1);
  EXPECT_EQ(hubtable("po.one", {"audit", "alerts", "--kind", "nonsense"}).exit_code, 2);
}

}  // namespace
}  // namespace hubtable::testing
