#include "commands/notify.h"

#include <catch2/catch.hpp>

using namespace larder;

TEST_CASE("notify-keyspace-events flags parse and print as Redis does", "[notify]") {
  CHECK(ParseNotifyFlags("").value() == 0);
  CHECK_FALSE(ParseNotifyFlags("Q").has_value());
  CHECK_FALSE(ParseNotifyFlags("KEA ").has_value());
  // Canonical order: A (or the classes g$lshzxetd), then n, K, E, m.
  CHECK(FormatNotifyFlags(*ParseNotifyFlags("EKAm")) == "AKEm");
  CHECK(FormatNotifyFlags(*ParseNotifyFlags("Kgn$")) == "g$nK");
  CHECK(FormatNotifyFlags(*ParseNotifyFlags("g$lshzxetd")) == "A");
  CHECK(FormatNotifyFlags(*ParseNotifyFlags("Elx")) == "lxE");
  // A covers neither n nor m.
  const int all = *ParseNotifyFlags("A");
  CHECK_FALSE(all & kNotifyNew);
  CHECK_FALSE(all & kNotifyKeyMiss);
  CHECK((all & kNotifyExpired) != 0);
}
