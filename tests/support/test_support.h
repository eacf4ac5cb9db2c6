/*
 * test_support.h — what every unit test includes: cmocka and the paths
 * of fixtures and of the shared corpus.
 */
#ifndef HQ_TEST_SUPPORT_H
#define HQ_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Tests run from the repository root (tests/run.sh makes sure). */
#define HQ_FIXTURES "tests/fixtures"
#define HQ_SHARED "../shared"

#endif
