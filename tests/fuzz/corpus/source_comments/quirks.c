#define ZERO 0
int f(int x) {
  int z = ZERO;
  // codechecker_intentional [core] fine
  return x / z;
/* codechecker_confirmed [clang-diagnostic-unused-variable] multi
   line */
  int unused;
}
