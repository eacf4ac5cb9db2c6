# healthqa — build, test, sanitizers.
#
#   make                      build build/healthqa and build/libhealthqa.a
#   make test                 build and run every test (unit + end-to-end)
#   make SAN=address,undefined test   the same under ASan + UBSan (in build/san/)
#   make check-deps           say which system packages are missing
#   make clean
#
# Warnings are errors when CI=true or WERROR=1.

CC      ?= cc
SAN     ?=
BUILD   ?= $(if $(SAN),build/san,build)
PKGS    := libxml-2.0 jansson sqlite3 libutf8proc zlib libevent libevent_pthreads libcrypto
OPT     ?= -O2 -g

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

LIB_SRC   := $(sort $(wildcard src/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
SERVER_SRC := $(sort $(wildcard server/*.c))
TEST_SRC  := $(sort $(wildcard tests/*/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:%.c=$(BUILD)/%)
TEST_SUPPORT := $(BUILD)/tests/support/support.o
LIB       := $(BUILD)/libhealthqa.a
PROG      := $(BUILD)/healthqa

.PHONY: all test unit clean check-deps
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

# `make test` runs unit tests and the end-to-end tests of the real CLI;
# TESTS=unit limits it to unit tests.
test: $(PROG) $(TEST_BIN)
	@HQ_BUILD=$(BUILD) HQ_SAN=$(SAN) bash tests/run.sh $(TESTS)

unit: $(TEST_BIN)
	@HQ_BUILD=$(BUILD) HQ_SAN=$(SAN) bash tests/run.sh unit

check-deps:
	@bash scripts/setup.sh --check

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(TEST_SUPPORT:.o=.d)
