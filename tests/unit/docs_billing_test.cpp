// Billing-side documents (issue 7): denial.yaml, GFE, audit, superbill,
// treatment log, deadlines and the iCalendar writer.
#include <gtest/gtest.h>

#include <string>

#include "backcover/docs/denial.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::docs {
namespace {

using io::parse_denial;

TEST(Denial, ParsesTheSharedSchema) {
  auto d = parse_denial(R"(date: 2026-10-02
received: 2026-10-06
claim_number: "C-123"
carc: CO-50
rarc: [N115]
service: {code: "64635", date: 2026-09-20, units: 2}
level: internal
reason_text: "not medically necessary"
type: pre_service
)",
                        "denial.yaml");
  ASSERT_TRUE(d.ok()) << format_errors(d.errors());
  EXPECT_EQ(d->date.str(), "2026-10-02");
  ASSERT_TRUE(d->received.has_value());
  EXPECT_EQ(d->received->str(), "2026-10-06");
  EXPECT_EQ(d->carc_group, "CO");
  EXPECT_EQ(d->carc, "50");
  EXPECT_EQ(d->carc_text(), "CO-50");
  ASSERT_EQ(d->rarc.size(), 1u);
  EXPECT_EQ(d->service.code, "64635");
  EXPECT_EQ(d->service.units, 2);
  EXPECT_EQ(d->level, Denial::Level::Internal);
  EXPECT_EQ(d->type, Denial::Type::PreService);
}

TEST(Denial, DefaultsAndGroupOptional) {
  auto d = parse_denial("date: 2026-01-05\ncarc: \"50\"\nservice: {code: \"97140\"}\n", "d.yaml");
  ASSERT_TRUE(d.ok()) << format_errors(d.errors());
  EXPECT_EQ(d->carc_text(), "50");
  EXPECT_EQ(d->level, Denial::Level::Initial);
  EXPECT_EQ(d->type, Denial::Type::PostService);
  EXPECT_FALSE(d->received.has_value());
}

TEST(Denial, EveryErrorNamesItsField) {
  auto d = parse_denial(
      "date: 2026-02-30\ncarc: XX-50\nservice: {code: \"64635\", units: 0}\nlevel: final\ntype: later\nextra: 1\n",
      "denial.yaml");
  ASSERT_FALSE(d.ok());
  std::string all = format_errors(d.errors());
  for (const char* field : {"date", "carc", "service.units", "level", "type", "extra"})
    EXPECT_NE(all.find(std::string(" ") + field + ":"), std::string::npos) << field << " in\n" << all;
}

TEST(Denial, ReceivedBeforeTheNoticeIsAnError) {
  auto d = parse_denial("date: 2026-03-10\nreceived: 2026-03-01\ncarc: CO-50\nservice: {code: \"97140\"}\n", "d.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(format_errors(d.errors()).find("received"), std::string::npos);
}

TEST(Denial, RequiresDateCarcAndService) {
  auto d = parse_denial("claim_number: x\n", "d.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_GE(d.errors().size(), 3u);
}

}  // namespace
}  // namespace backcover::docs
