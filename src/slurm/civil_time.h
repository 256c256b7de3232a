#pragma once
// Calendar arithmetic without <ctime>: the parsers take "now" and the caller's UTC offset as
// numbers, so that a parse is reproducible in tests and reads no clock or time zone database.
#include <cstdint>

namespace suanli::slurm {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 (negative before), proleptic Gregorian calendar.
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days);
int DaysInMonth(int64_t year, int month);

}  // namespace suanli::slurm
