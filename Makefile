# healthqa — build, test, sanitizers.
#
#   make                      build build/healthqa and build/libhealthqa.a
#   make test                 build and run every test (unit + end-to-end)
#   make SAN=address,undefined test   the same under ASan + UBSan (in build/san/)
#   make fuzz FUZZ_TIME=600   build the fuzz drivers with clang + libFuzzer (build/fuzz/)
#                             and run each for FUZZ_TIME seconds (FUZZ_DRIVERS="page http"
#                             picks some); see docs/ROBUSTNESS.md
#   make check-deps           say which system packages are missing
#   make clean
#
# Warnings are errors when CI=true or WERROR=1.

CC      ?= cc
SAN     ?=
BUILD   ?= $(if $(SAN),build/san,build)
PKGS    := libxml-2.0 jansson sqlite3 libutf8proc libdeflate libevent libevent_pthreads libcrypto
OPT     ?= -O3 -g  # -O3: the ranking and decoding loops run ~10% fewer instructions than at -O2

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-align -Wno-unused-parameter
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN    += -Werror
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -MMD -MP $(PKG_CFLAGS) \
           -DHQ_DATA_DIR='"$(CURDIR)/data"' -DHQ_VOCAB_DIR='"$(abspath $(CURDIR)/../shared/vocab)"'
LDLIBS  += $(PKG_LIBS) -lm -lpthread
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif
CFLAGS  += $(FUZZ_CFLAGS)

LIB_SRC   := $(sort $(wildcard src/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
SERVER_SRC := $(sort $(wildcard server/*.c))
TEST_SRC  := $(sort $(wildcard tests/*/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:%.c=$(BUILD)/%)
TEST_SUPPORT := $(BUILD)/tests/support/support.o
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_HDRS := $(wildcard tests/fuzz/*.h) tests/support/reseal.h
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/test_fuzz_%)
LIB       := $(BUILD)/libhealthqa.a
PROG      := $(BUILD)/healthqa

.PHONY: all test unit clean check-deps fuzz fuzz-drivers
all: $(PROG) $(LIB)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(SERVER_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(SERVER_OBJ) $(LIB) $(LDLIBS) -o $@

# The helpers every test binary links (tests/support/support.c), built
# once per build folder.
$(TEST_SUPPORT): tests/support/support.c tests/support/test_support.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(LIB) tests/support/test_support.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $< $(TEST_SUPPORT) $(LIB) $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka) -o $@

# Tests of the portal (tests/server/) also link the server's objects.
$(BUILD)/tests/server/%: tests/server/%.c $(TEST_SUPPORT) $(SERVER_OBJ) $(LIB) tests/support/test_support.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $< $(TEST_SUPPORT) $(SERVER_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka) -o $@

# A fuzz driver (tests/fuzz/fuzz_<name>.c) linked with a plain main that
# replays its seeds and regression inputs (tests/fuzz/<name>/): a unit
# test of the normal run, under gcc and the sanitizers alike.
$(BUILD)/tests/fuzz/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_HDRS) $(SERVER_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -DHQ_FUZZ_NAME='"$*"' $< tests/fuzz/replay.c $(SERVER_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

# The same driver linked with libFuzzer (clang only: `make fuzz` builds
# these in build/fuzz with CC=clang and coverage instrumentation).
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(SERVER_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -fsanitize=fuzzer $< $(SERVER_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) -fsanitize=fuzzer -o $@

fuzz-drivers: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

FUZZ_TIME ?= 60
FUZZ_DRIVERS ?= $(FUZZ_NAMES)
fuzz:
	@bash scripts/setup.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang SAN=address,undefined \
	    FUZZ_CFLAGS=-fsanitize=fuzzer-no-link fuzz-drivers
	@bash tests/fuzz/run.sh build/fuzz $(FUZZ_TIME) $(FUZZ_DRIVERS)

# `make test` runs unit tests and the end-to-end tests of the real CLI;
# TESTS=unit limits it to unit tests.
test: $(PROG) $(TEST_BIN) $(FUZZ_REPLAY)
	@HQ_BUILD=$(BUILD) HQ_SAN=$(SAN) bash tests/run.sh $(TESTS)

unit: $(TEST_BIN) $(FUZZ_REPLAY)
	@HQ_BUILD=$(BUILD) HQ_SAN=$(SAN) bash tests/run.sh unit

check-deps:
	@bash scripts/setup.sh --check

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(TEST_SUPPORT:.o=.d)
