int f(int x) {
  /* codechecker_suppress [all] two
     lines */
  return 1 / x;
  // codechecker_false_positive [core.X, core.Y] a
  // codechecker_confirmed [core.X] b
  x++;
  // codechecker_bogus [x] misspelled
  return x;
}
