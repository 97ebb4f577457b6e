// SPDX-License-Identifier: MIT
// counters-snmpd's net-snmp glue: an AgentX subagent serving the tables of mib.hpp.
//
// Each table is a net-snmp table-data (tdata) registration with a cache handler in front
// of it: the cache's load hook copies the rows of the current mapping into the tdata (one
// snapshot of the section serves every request for --cache seconds), its free hook empties
// it. GETNEXT/GETBULK look rows up in tdata's sorted container (a walk is linear, not
// quadratic); columns that no row can fill are left out of the table's valid columns, and
// the table helper's sparse-table step skips the rows of a column that lack a value
// (noSuchInstance).
#include "mib.hpp"
#include "snmpd.hpp"

#include <counters/error.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/select.h>
#include <syslog.h>

#ifndef COUNTERS_SNMPD_VERSION
#define COUNTERS_SNMPD_VERSION "unknown"
#endif

namespace counters::snmp {

namespace {

namespace ct = counters::tools;
const char* const app_name = "counters-snmpd";

/// One line of our own in net-snmp's log (standard error or syslog), prefixed.
void say(int priority, const std::string& message) {
    snmp_log(priority, "counters-snmpd: %s\n", message.c_str());
}

/// The current mapping, read from shared memory again when a table's cache loads and the
/// last read is more than a moment old: the tables loaded by one request burst share one
/// snapshot, and a table's rows are never more than --cache seconds plus that moment old.
class model {
public:
    explicit model(const options& opt) : opt_(opt) {
        start_ = std::time(nullptr);
        down_since_ = start_;
    }

    const tables& current() {
        const auto t = std::chrono::steady_clock::now();
        if (!loaded_ || t - refreshed_ >= std::chrono::milliseconds(200)) {
            refresh();
            refreshed_ = t;
            loaded_ = true;
        }
        return tables_;
    }

private:
    void refresh() {
        const std::int64_t now = std::time(nullptr);
        std::optional<snapshot> section;
        try {
            section = read_snapshot(opt_.section);
        } catch (const std::exception& e) {
            if (up_ || !reported_) {
                // The library's text may quote the name as given: escaped, as the tools do.
                say(LOG_WARNING, ct::escape_name(e.what()) + ": serving empty MTA-MIB tables, applOperStatus down");
                down_since_ = reported_ ? now : start_;
            }
            up_ = false;
        }
        if (section) {
            if (!up_ || section->section.instance_id != instance_) {
                say(LOG_INFO, "serving section " + ct::escape_name(section->section.name) + " (" +
                                  std::to_string(section->section.channels) + " channels)");
                if (!section->section.distrust.empty())
                    say(LOG_WARNING, ct::untrusted_warning("section", section->section.name,
                                                           section->section.distrust));
            }
            up_ = true;
            instance_ = section->section.instance_id;
        }
        reported_ = true;
        std::optional<registry_snapshot> registry;
        try {
            registry = read_registry(opt_.registry);
        } catch (const std::exception&) {
            // No registry: no service rows (it is optional, so not reported).
        }
        inputs in;
        in.section = section ? &*section : nullptr;
        in.section_name = opt_.section;
        in.registry = registry ? &*registry : nullptr;
        in.now = now;
        in.agent_start = start_;
        in.down_since = down_since_;
        in.version = COUNTERS_SNMPD_VERSION;
        tables_ = map_tables(in);
    }

    const options& opt_;
    tables tables_;
    std::chrono::steady_clock::time_point refreshed_{};
    bool loaded_ = false;
    bool up_ = false;
    bool reported_ = false;
    std::uint64_t instance_ = 0;
    std::int64_t start_ = 0;
    std::int64_t down_since_ = 0;
};

/// One registered table: its tdata and the rows the tdata's entries point into.
struct table_context {
    table_id id = table_id::mta;
    model* source = nullptr;
    netsnmp_tdata* data = nullptr;
    /// The table's registration info (net-snmp's to free at shutdown: calloc'd).
    netsnmp_table_registration_info* info = nullptr;
    std::vector<row> rows;
};

void empty_table(table_context& t) {
    while (netsnmp_tdata_row* r = netsnmp_tdata_row_first(t.data)) netsnmp_tdata_remove_and_delete_row(t.data, r);
    t.rows.clear();
}

int load_table(netsnmp_cache* /*cache*/, void* magic) {
    auto& t = *static_cast<table_context*>(magic);
    empty_table(t);
    try {
        t.rows = t.source->current().get(t.id).rows;
    } catch (const std::exception& e) {
        say(LOG_ERR, e.what());
        return -1;
    }
    for (auto& r : t.rows) {
        netsnmp_tdata_row* tr = netsnmp_tdata_create_row();
        if (tr == nullptr) return -1;
        tr->data = &r;
        for (const std::uint32_t i : r.index) {
            const long v = static_cast<long>(i);
            snmp_varlist_add_variable(&tr->indexes, nullptr, 0, ASN_INTEGER, reinterpret_cast<const u_char*>(&v),
                                      sizeof v);
        }
        netsnmp_tdata_add_row(t.data, tr);
    }
    return 0;
}

void free_table(netsnmp_cache* /*cache*/, void* magic) { empty_table(*static_cast<table_context*>(magic)); }

void set_value(netsnmp_variable_list* vb, const value& v) {
    switch (v.type) {
    case smi_type::integer: {
        const long n = static_cast<long>(v.number);
        snmp_set_var_typed_value(vb, ASN_INTEGER, &n, sizeof n);
        break;
    }
    case smi_type::counter32:
    case smi_type::gauge32:
    case smi_type::timeticks: {
        const u_long n = static_cast<u_long>(v.number);
        const u_char type = v.type == smi_type::counter32 ? ASN_COUNTER
                            : v.type == smi_type::gauge32 ? ASN_GAUGE
                                                          : ASN_TIMETICKS;
        snmp_set_var_typed_value(vb, type, &n, sizeof n);
        break;
    }
    case smi_type::octet_string:
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, v.text.data(), v.text.size());
        break;
    }
}

int handle_table(netsnmp_mib_handler* /*handler*/, netsnmp_handler_registration* /*reg*/,
                 netsnmp_agent_request_info* reqinfo, netsnmp_request_info* requests) {
    if (reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT && reqinfo->mode != MODE_GETBULK)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info* req = requests; req != nullptr; req = req->next) {
        if (req->processed != 0) continue;
        const auto* r = static_cast<const row*>(netsnmp_tdata_extract_entry(req));
        const netsnmp_table_request_info* info = netsnmp_extract_table_info(req);
        if (r == nullptr || info == nullptr) {
            // No such row: a GET says so; a GETNEXT past the last row is the helpers' to end.
            if (reqinfo->mode == MODE_GET) netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        if (const value* v = r->get(info->colnum)) {
            set_value(req->requestvb, *v);
        } else {
            // noSuchInstance; in a GETNEXT the table helper goes on with the next row.
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        }
    }
    return SNMP_ERR_NOERROR;
}

/// In front of the table helper: a GET of a column that no row serves is noSuchInstance
/// under the OID asked for. (With valid_columns, net-snmp's table helper moves such a GET to
/// the next valid column and truncates the OID to that column, so the answer named another
/// object: `.28.2.1.12 = No Such Instance` for a GET of `.28.2.1.12.1.1`.)
int guard_columns(netsnmp_mib_handler* handler, netsnmp_handler_registration* reg,
                  netsnmp_agent_request_info* reqinfo, netsnmp_request_info* requests) {
    if (reqinfo->mode == MODE_GET) {
        const table_def& def = definition(static_cast<const table_context*>(handler->myvoid)->id);
        const std::size_t entry = reg->rootoid_len, column = entry + 1;
        for (netsnmp_request_info* req = requests; req != nullptr; req = req->next) {
            const netsnmp_variable_list* vb = req->requestvb;
            if (req->processed != 0 || vb->name_length <= column + 1 || vb->name[entry] != 1 ||
                snmp_oid_compare(vb->name, entry, reg->rootoid, entry) != 0)
                continue;
            const oid c = vb->name[column];
            if (c >= def.min_column && c <= def.max_column &&
                !std::binary_search(def.served.begin(), def.served.end(), static_cast<unsigned>(c)))
                netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        }
    }
    return netsnmp_call_next_handler(handler, reg, reqinfo, requests);
}

/// Registers table @p t (read-only, with its cache in front).
void register_table(table_context& t, unsigned cache_seconds) {
    const table_def& def = definition(t.id);
    std::vector<oid> root(def.oid.begin(), def.oid.end());
    root.pop_back(); // the registration is the table, its entry is TABLE.1
    netsnmp_handler_registration* reg = netsnmp_create_handler_registration(
        def.name, handle_table, root.data(), root.size(), HANDLER_CAN_RONLY);
    t.data = netsnmp_tdata_create_table(def.name, 0);
    auto* info = static_cast<netsnmp_table_registration_info*>(calloc(1, sizeof(netsnmp_table_registration_info)));
    t.info = info;
    if (reg == nullptr || t.data == nullptr || info == nullptr)
        throw std::runtime_error(std::string("cannot register ") + def.name + ": out of memory");
    for (unsigned i = 0; i < def.index_count; ++i)
        snmp_varlist_add_variable(&info->indexes, nullptr, 0, ASN_INTEGER, nullptr, 0);
    info->min_column = def.min_column;
    info->max_column = def.max_column;
    if (!def.served.empty()) {
        auto* cols = static_cast<netsnmp_column_info*>(calloc(1, sizeof(netsnmp_column_info)));
        auto* list = static_cast<unsigned*>(calloc(def.served.size(), sizeof(unsigned)));
        if (cols == nullptr || list == nullptr) throw std::runtime_error("out of memory");
        for (std::size_t i = 0; i < def.served.size(); ++i) list[i] = def.served[i];
        cols->isRange = 0;
        cols->list_count = static_cast<char>(def.served.size());
        cols->details.list = list;
        info->valid_columns = cols;
    }
    // The chain, outermost first: cache, table helper, table container, tdata, ours:
    // netsnmp_tdata_register() with the cache in front of everything, so that the rows are
    // loaded before the container looks them up. The table helper skips the noSuchInstance
    // of a GETNEXT itself (its sparse-table step).
    std::vector<oid> cache_root(def.oid.begin(), def.oid.end());
    netsnmp_cache* cache = netsnmp_cache_create(static_cast<int>(cache_seconds), load_table, free_table,
                                                cache_root.data(), static_cast<int>(cache_root.size()));
    if (cache == nullptr) throw std::runtime_error("cannot create the cache of " + std::string(def.name));
    cache->magic = &t;
    cache->flags = NETSNMP_CACHE_DONT_INVALIDATE_ON_SET;
    if (netsnmp_tdata_register(reg, t.data, info) != MIB_REGISTERED_OK)
        throw std::runtime_error(std::string("cannot register ") + def.name);
    netsnmp_inject_handler(reg, netsnmp_cache_handler_get(cache));
    netsnmp_mib_handler* guard = netsnmp_create_handler("counters_columns", guard_columns);
    if (guard == nullptr) throw std::runtime_error("out of memory");
    guard->myvoid = &t;
    netsnmp_inject_handler(reg, guard);
}

/// The command line's AgentX socket and ping interval, applied after the configuration
/// files were read (a counters-snmpd.conf may name others) and before net-snmp connects
/// (that is the next POST_READ_CONFIG callback): the options win, from the first attempt on.
/// (The options are not the callback's client argument: net-snmp frees those at shutdown.)
const options* applied_options = nullptr;

int apply_options(int /*major*/, int /*minor*/, void* /*server*/, void* /*client*/) {
    if (applied_options == nullptr) return SNMPERR_SUCCESS;
    const options& opt = *applied_options;
    if (!opt.agentx.empty()) netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, opt.agentx.c_str());
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       static_cast<int>(opt.ping_interval));
    return SNMPERR_SUCCESS;
}

/// agent_check_and_process(1) in a loop until a stop signal, without its race: SIGTERM and
/// SIGINT are blocked except inside the wait (pselect), so a signal that arrives while a
/// request is being answered ends the next wait at once instead of after its timeout.
void serve() {
    sigset_t stops, wait_mask;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &stops, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    while (!ct::stop_requested()) {
        int fds = 0;
        int block = 1;
        fd_set readable;
        FD_ZERO(&readable);
        timeval tv{};
        snmp_select_info(&fds, &readable, &tv, &block);
        timespec ts{tv.tv_sec, tv.tv_usec * 1000};
        const int n = ::pselect(fds, &readable, nullptr, nullptr, block != 0 ? nullptr : &ts, &wait_mask);
        if (n > 0) {
            snmp_read(&readable);
        } else if (n == 0) {
            snmp_timeout();
        } else if (errno != EINTR) {
            say(LOG_ERR, std::string("waiting for requests: ") + std::strerror(errno));
        }
        run_alarms();
        netsnmp_check_outstanding_agent_requests();
    }
}

} // namespace

int run(const options& opt) {
    ct::install_stop_handlers();
    ct::stop_ends_ok();
    const ct::stop_deferred hold; // a stop signal ends the loop below, then exits 0

    if (opt.foreground) {
        snmp_enable_stderrlog();
    } else {
        snmp_enable_syslog_ident(app_name, LOG_DAEMON);
        if (netsnmp_daemonize(1, 0) != 0) throw std::runtime_error("cannot go into the background");
    }
    // No MIB files are needed (numeric OIDs only), and nothing is kept between runs.
    ::setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    if (!opt.agentx.empty()) netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, opt.agentx.c_str());
    const int ping = static_cast<int>(opt.ping_interval);
    if (init_agent(app_name) != 0) throw std::runtime_error("cannot initialise net-snmp's agent library");
    // init_agent() sets net-snmp's default ping interval (15 s); ours must follow it, before
    // init_snmp() first connects (and schedules the reconnection attempts).
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, ping);

    model source(opt);
    std::vector<std::unique_ptr<table_context>> contexts;
    for (const table_id id : all_tables) {
        auto t = std::make_unique<table_context>();
        t->id = id;
        t->source = &source;
        register_table(*t, opt.cache);
        contexts.push_back(std::move(t));
    }
    applied_options = &opt;
    netsnmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG, apply_options, nullptr,
                              NETSNMP_CALLBACK_HIGHEST_PRIORITY);
    init_snmp(app_name);
    say(LOG_INFO, "AgentX subagent for section " + ct::escape_name(opt.section) + " started (socket " +
                      (opt.agentx.empty() ? std::string("default") : opt.agentx) + ", ping every " +
                      std::to_string(ping) + " s)");

    (void)source.current(); // reads the section now, so the log tells its state at once

    serve();

    say(LOG_INFO, "stopped");
    snmp_shutdown(app_name);
    return ct::exit_ok;
}

} // namespace counters::snmp
