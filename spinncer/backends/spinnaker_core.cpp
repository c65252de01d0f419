// What one SpiNNaker core computes for IF_cond_exp cells, tick by tick: spinncer's own code,
// written from a reading of sPyNNaker 7.x's C (never compiled or copied here). Compiled by
// spinncer/backends/spinnaker_build.py and driven through ctypes by
// spinncer/backends/spinnaker_emulated.py; the golden-trace test drives this same code.
//
// Sources read (sPyNNaker neural_modelling/src, commit f905ce88 = master just after 7.1.0; the
// same lines in 7.4.1, see spinnaker_emulated.py's docstring), spinn_common tag 7.4.1:
//   [lif]    neuron/models/neuron_model_lif_impl.h  neuron_model_initialise,
//            lif_neuron_closed_form, neuron_model_state_update, neuron_model_has_spiked
//   [std]    neuron/implementations/neuron_impl_standard.h  neuron_impl_do_timestep_update
//   [cond]   neuron/input_types/input_type_conductance.h  (g >> 10, g * (E - V))
//   [exp]    neuron/synapse_types/exp_synapse_utils.h  decay_and_init, exp_shaping,
//            add_input_exp
//   [decay]  neuron/decay.h  decay_s1615, decay_s1615_to_u032
//   [maths]  common/maths-util.h  kdivk, kdivui
//   [thr]    neuron/threshold_types/threshold_type_static.h  (REAL_COMPARE: int32 >=)
//   [row]    neuron/synapse_row.h  synapse_row_convert_weight_to_input (slot << shift)
//   [syn]    neuron/synapses.c  process_fixed_synapses (slot saturates at 0xFFFF)
//   [main]   neuron/c_main.c  timer_callback (ring buffers into the neurons, then the update)
//   [sexp]   spinn_common src/stdfix-exp.c  __expi64, expk, expulr; include/utils.h scale64,
//            round64
// Arithmetic: an accum * accum product on the ARM968 in ARM state is smull then >> 15: it
// floors and wraps (no rounding, no saturation); accum + accum wraps (no _Sat).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

// ---- spinn_common fixed-point helpers -------------------------------------------------------
inline int32_t mul_k(int32_t a, int32_t b) {  // accum * accum (smull, >> 15: floor, wrap)
    return (int32_t)(uint32_t)((uint64_t)(((int64_t)a * (int64_t)b) >> 15));
}
inline int32_t decay_s1615(int32_t x, uint32_t d) {  // [decay] (s * u) >> 32
    return (int32_t)((((int64_t)x) * (int64_t)(uint64_t)d) >> 32);
}
inline uint32_t decay_s1615_to_u032(int32_t x, uint32_t d) {  // [decay] (s * u) >> 15
    return (uint32_t)(((uint64_t)(int64_t)x * (uint64_t)d) >> 15);
}
inline int32_t kdivk(int32_t a, int32_t b) {  // [maths] (a << 15) / b, unsigned 64-bit
    return (int32_t)(uint32_t)((((uint64_t)(int64_t)a) << 15) / (uint64_t)(int64_t)b);
}
inline int32_t kdivui(int32_t a, uint32_t b) {  // [maths]
    return (int32_t)(uint32_t)((uint64_t)(int64_t)a / (uint64_t)b);
}

// [sexp] the tables of __expi64
const uint64_t EXP_HI[26] = {
    9708ull, 26389ull, 71733ull, 194991ull, 530041ull, 1440801ull, 3916503ull, 10646160ull,
    28939262ull, 78665070ull, 213833830ull, 581260615ull, 1580030169ull, 4294967296ull,
    11674931555ull, 31735754293ull, 86266724208ull, 234497268814ull, 637429664642ull,
    1732713474316ull, 4710003551159ull, 12803117065094ull, 34802480465680ull,
    94602950235157ull, 257157480542844ull, 699026506411923ull};
const uint32_t EXPM1_MID[16] = {
    0u, 260218914u, 504671961u, 734314346u, 950043403u, 1152702096u, 1343082321u,
    1521927990u, 1689937949u, 1847768698u, 1996036966u, 2135322113u, 2266168400u,
    2389087112u, 2504558555u, 2613033936u};
const uint32_t EXP_SERIES[3] = {5294u, 4293434720u, 2081624032u};

inline uint64_t round64(uint64_t x) {  // utils.h: high word, +1 when the low word >= INT32_MAX
    uint64_t r = x >> 32;
    if ((uint32_t)x >= 0x7FFFFFFFu) r++;
    return r;
}
inline uint64_t scale64(uint64_t x, uint32_t y) {  // utils.h: x * (y / 2^32), low part rounded
    uint64_t r = round64((uint64_t)(uint32_t)x * (uint64_t)y);
    return r + (uint64_t)(uint32_t)(x >> 32) * (uint64_t)y;
}
inline uint32_t coef_mult(uint32_t c, uint32_t x) {
    return (uint32_t)(((uint64_t)c * (uint64_t)x) >> 32);
}
inline uint32_t exp_series(uint32_t x) {
    uint32_t t = EXP_SERIES[1] - coef_mult(EXP_SERIES[2], x);
    t = coef_mult(t, x);
    return t + EXP_SERIES[0];
}
uint64_t expi64(int32_t n) {  // e^(n / 2^15) as U32.32
    int32_t z = n >> 15;
    int32_t f = n - (z << 15);
    if (f <= 0) return EXP_HI[13 + z];
    z++;
    f = 32768 - f;
    uint64_t t = EXP_HI[13 + z];
    t -= scale64(t, EXPM1_MID[f >> 11]);
    uint32_t y = ((uint32_t)(f & 0x7FF)) << 17;
    t -= scale64(t, exp_series(y));
    return t;
}
int32_t expk(int32_t n) {
    if (363408 < n) return INT32_MAX;
    if (n < -340695) return 0;
    return (int32_t)(expi64(n) >> 17);
}
uint32_t expulr(int32_t n) {
    if (363408 < n) return INT32_MAX;
    if (n < -340695) return 0;
    return (uint32_t)expi64(n);
}

}  // namespace

extern "C" {

// Parameters of one population as the core receives them (S1615 bits, [lif] neuron_params_t,
// [cond], [thr], [exp] exp_params_t) plus the run's sub-steps and ring-buffer left shifts.
struct PopulationParams {
    int32_t v_rest, c_m, tau_m, i_offset, v_reset, t_refract_ms, time_step;
    int32_t v_rev_e, v_rev_i, v_thresh, tau_syn_e, tau_syn_i;
    int32_t n_steps, shift_e, shift_i;
};

// The constants the core derives from them ([lif] neuron_model_initialise, [exp] decay_and_init).
struct DerivedConstants {
    int32_t r_membrane, exp_tc, t_refract;
    uint32_t exc_decay, exc_init, inh_decay, inh_init;
};

void spinnaker_derive(const PopulationParams *p, DerivedConstants *out) {
    int32_t ts = kdivui(p->time_step, (uint32_t)p->n_steps);
    out->r_membrane = kdivk(p->tau_m, p->c_m);
    out->exp_tc = expk(-kdivk(ts, p->tau_m));
    int32_t refract = kdivk(p->t_refract_ms, ts);  // lif_ceil_accum
    out->t_refract = (refract >> 15) + ((refract & 0x7FFF) > 0 ? 1 : 0);
    const int32_t taus[2] = {p->tau_syn_e, p->tau_syn_i};
    uint32_t *decays[2] = {&out->exc_decay, &out->inh_decay};
    uint32_t *inits[2] = {&out->exc_init, &out->inh_init};
    for (int k = 0; k < 2; ++k) {
        uint32_t decay = expulr(-kdivk(ts, taus[k]));
        uint32_t inv_decay = 0xFFFFFFFFu - decay;  // 1.0ulr saturates to 0xFFFFFFFF
        *decays[k] = decay;
        *inits[k] = decay_s1615_to_u032(kdivk(taus[k], ts), inv_decay);
    }
}

// How the run computes. All switches at their SpiNNaker setting = sPyNNaker 7.4.1.
struct RunSwitches {
    int32_t fixed_point;       // 1: s16.15 state, floored products; 0: double state
    int32_t saturate;          // 1: a ring-buffer slot holds at most 0xFFFF weight steps
    int32_t nest_timing;       // 1: a cell's spike acts one tick later (NEST's stamp + delay)
    int32_t conductance_bits;  // g is stored as g_uS * 2^bits (sPyNNaker 7: 10; SpiNNCer: 5)
};

// Per-population values of the double-precision path (mV, nA, MOhm, µS per weight step).
struct PopulationReals {
    double v_rest, v_reset, v_thresh, i_offset, v_rev_e, v_rev_i, r_membrane, exp_tc;
    double exc_decay, exc_init, inh_decay, inh_init, step_e, step_i;
};

}  // extern "C"

namespace {

struct Network {
    int32_t n_cells, n_sources, n_pops;
    const uint8_t *pop;                 // population of each cell
    const PopulationParams *params;
    const DerivedConstants *consts;
    const PopulationReals *reals;
    // synapses by source (cells first, then spike sources): CSR over targets
    const int64_t *row_start;           // n_cells + n_sources + 1
    const int32_t *target;              // cell index
    const uint32_t *weight;             // weight steps (uint16 range) or, double path, bits
    const double *weight_real;          // double path: exact weights (µS), or null
    const uint8_t *delay;               // ticks
    const uint8_t *receptor;            // 0 excitatory, 1 inhibitory
};

template <bool FIXED>
struct State {
    using V = typename std::conditional<FIXED, int32_t, double>::type;
    std::vector<V> v, ge, gi;
    std::vector<int32_t> refract;
};

// Wrapping int32 arithmetic of accum adds and subtractions (no _Sat).
inline int32_t add_w(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
inline int32_t sub_w(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

// One tick of the cells [lo, hi) of population p, in passes over the cells (each cell's
// operations in the core's order; cells are independent within a tick, so GCC may vectorise a
// pass): the ring-buffer slots into g ([main], [row], [exp] add_input_exp); what the core
// records (V before the update and g >> 10 at the first sub-step, [std]); then n_steps times
// [std] neuron_impl_do_timestep_update. `spiked[c]` counts the cell's spikes of the tick.
template <bool FIXED>
void update_block(int64_t lo, int64_t hi, int p, const Network &net, const RunSwitches &sw,
                  State<FIXED> &s, uint64_t *acc, double *acc_exact, uint64_t slot_max,
                  const std::vector<std::pair<int32_t, int32_t>> &recorded, float *rec,
                  uint8_t *spiked) {
    const PopulationParams &P = net.params[p];
    const DerivedConstants &K = net.consts[p];
    auto *__restrict v = s.v.data();
    auto *__restrict ge = s.ge.data();
    auto *__restrict gi = s.gi.data();
    int32_t *__restrict refract = s.refract.data();
    if constexpr (FIXED) {
        const int sh_e = P.shift_e, sh_i = P.shift_i, bits = sw.conductance_bits;
        for (int64_t c = lo; c < hi; ++c) {
            const uint64_t se = std::min(acc[2 * c], slot_max);
            const uint64_t si = std::min(acc[2 * c + 1], slot_max);
            acc[2 * c] = 0;
            acc[2 * c + 1] = 0;
            ge[c] = add_w(ge[c], decay_s1615((int32_t)(uint32_t)(se << sh_e), K.exc_init));
            gi[c] = add_w(gi[c], decay_s1615((int32_t)(uint32_t)(si << sh_i), K.inh_init));
        }
        for (const auto &[c, row] : recorded) {
            if (c < lo || c >= hi) continue;  // another thread's block
            float *out = rec + (size_t)row * 3;
            out[0] = (float)(v[c] / 32768.0);
            out[1] = (float)((ge[c] >> bits) / 32768.0);
            out[2] = (float)((gi[c] >> bits) / 32768.0);
        }
        const int32_t e_e = P.v_rev_e, e_i = P.v_rev_i, i_off = P.i_offset, v_rest = P.v_rest;
        const int32_t thresh = P.v_thresh, v_reset = P.v_reset, t_refract = K.t_refract;
        const int32_t r_mem = K.r_membrane, exp_tc = K.exp_tc;
        const uint32_t dec_e = K.exc_decay, dec_i = K.inh_decay;
        for (int step = 0; step < P.n_steps; ++step) {
            for (int64_t c = lo; c < hi; ++c) {
                const int32_t v0 = v[c];
                const int32_t exc = mul_k(ge[c] >> bits, sub_w(e_e, v0));            // [cond]
                const int32_t inh = mul_k(sub_w(0, gi[c] >> bits), sub_w(e_i, v0));
                const int32_t input = add_w(sub_w(exc, inh), i_off);                 // [lif]
                const int32_t alpha = add_w(mul_k(input, r_mem), v_rest);
                const int32_t v_new = sub_w(alpha, mul_k(exp_tc, sub_w(alpha, v0)));
                const int32_t r = refract[c];
                const int32_t v1 = r <= 0 ? v_new : v0;  // refractory: V held, counter down
                const int32_t r1 = r <= 0 ? r : r - 1;
                const bool spike = v1 >= thresh;  // [thr], in refractoriness too
                v[c] = spike ? v_reset : v1;
                refract[c] = spike ? t_refract : r1;
                spiked[c] += spike;
                ge[c] = decay_s1615(ge[c], dec_e);                                   // [exp]
                gi[c] = decay_s1615(gi[c], dec_i);
            }
        }
    } else {
        const PopulationReals &R = net.reals[p];
        const double cap_e = slot_max == 0xFFFFull ? 65535.0 * R.step_e : HUGE_VAL;
        const double cap_i = slot_max == 0xFFFFull ? 65535.0 * R.step_i : HUGE_VAL;
        for (int64_t c = lo; c < hi; ++c) {
            double in_e, in_i;
            if (acc_exact) {  // exact weights: a slot holds at most 0xFFFF weight steps
                in_e = std::min(acc_exact[2 * c], cap_e);
                in_i = std::min(acc_exact[2 * c + 1], cap_i);
                acc_exact[2 * c] = 0.0;
                acc_exact[2 * c + 1] = 0.0;
            } else {
                in_e = (double)std::min(acc[2 * c], slot_max) * R.step_e;
                in_i = (double)std::min(acc[2 * c + 1], slot_max) * R.step_i;
                acc[2 * c] = 0;
                acc[2 * c + 1] = 0;
            }
            ge[c] += in_e * R.exc_init;
            gi[c] += in_i * R.inh_init;
        }
        for (const auto &[c, row] : recorded) {
            if (c < lo || c >= hi) continue;  // another thread's block
            float *out = rec + (size_t)row * 3;
            out[0] = (float)v[c];
            out[1] = (float)ge[c];
            out[2] = (float)gi[c];
        }
        for (int step = 0; step < P.n_steps; ++step) {
            for (int64_t c = lo; c < hi; ++c) {
                const double v0 = v[c];
                const double input = ge[c] * (R.v_rev_e - v0) + gi[c] * (R.v_rev_i - v0) +
                                     R.i_offset;
                const double alpha = input * R.r_membrane + R.v_rest;
                const double v_new = alpha - R.exp_tc * (alpha - v0);
                const int32_t r = refract[c];
                const double v1 = r <= 0 ? v_new : v0;
                const int32_t r1 = r <= 0 ? r : r - 1;
                const bool spike = v1 >= R.v_thresh;
                v[c] = spike ? R.v_reset : v1;
                refract[c] = spike ? K.t_refract : r1;
                spiked[c] += spike;
                ge[c] *= R.exc_decay;
                gi[c] *= R.inh_decay;
            }
        }
    }
}

constexpr int RING = 64;  // delay slots (a power of two above the longest delay + 1)

// The ring buffers, stored sparsely: per slot the (cell * 2 + receptor, weight) of every
// synapse event that lands in it; at the start of its tick they are summed into a dense
// per-cell accumulator, which the cell update reads and clears. The sum a slot holds is the
// same as the core's dense uint16 ring ([syn]): non-negative weight steps, saturated at 0xFFFF
// when they are read (min(sum, 0xFFFF) does not depend on the order of the additions).
struct Ring {
    std::vector<uint32_t> where[RING];
    std::vector<uint32_t> steps[RING];
    std::vector<double> exact[RING];
};

template <bool FIXED>
int64_t simulate(const Network &net, const RunSwitches &sw, int32_t n_ticks,
                 const int64_t *source_tick_start, const int32_t *source_by_tick,
                 const int32_t *init_v_bits, const double *init_v,
                 const uint32_t *external_slots, int32_t n_recorded, const int32_t *recorded,
                 float *rec_out, int32_t *trace_out, int32_t *spike_tick, int32_t *spike_cell,
                 int64_t spike_capacity, int32_t n_threads) {
    const int64_t n = net.n_cells;
    State<FIXED> s;
    s.v.resize(n);
    s.ge.assign(n, 0);
    s.gi.assign(n, 0);
    s.refract.assign(n, 0);
    for (int64_t c = 0; c < n; ++c) {
        if constexpr (FIXED) s.v[c] = init_v_bits[c];
        else s.v[c] = init_v[c];
    }
    const bool exact_weights = !FIXED && net.weight_real != nullptr;
    Ring ring;
    std::vector<uint64_t> acc(exact_weights ? 0 : 2 * n, 0);
    std::vector<double> acc_exact(exact_weights ? 2 * n : 0, 0.0);
    // recorded cells by population: (cell, row of the recording)
    std::vector<int64_t> pop_start(net.n_pops + 1, 0);
    for (int64_t c = 0; c < n; ++c) pop_start[net.pop[c] + 1] = c + 1;
    for (int q = 1; q <= net.n_pops; ++q) pop_start[q] = std::max(pop_start[q], pop_start[q - 1]);
    std::vector<std::vector<std::pair<int32_t, int32_t>>> rec_of(net.n_pops);
    for (int32_t k = 0; k < n_recorded; ++k) {
        rec_of[net.pop[recorded[k]]].push_back({recorded[k], k});
    }
    std::vector<uint8_t> spiked(n, 0);
    int64_t n_spikes = 0;
    const uint64_t slot_max = sw.saturate ? 0xFFFFull : ~0ull;
    if (n_threads < 1) n_threads = 1;
    std::vector<std::vector<int32_t>> fired(n_threads);

    auto deliver = [&](int64_t source, int32_t tick) {
        for (int64_t k = net.row_start[source]; k < net.row_start[source + 1]; ++k) {
            const int slot = (tick + net.delay[k]) & (RING - 1);
            ring.where[slot].push_back((uint32_t)net.target[k] * 2u + net.receptor[k]);
            if (exact_weights) ring.exact[slot].push_back(net.weight_real[k]);
            else ring.steps[slot].push_back(net.weight[k]);
        }
    };

    for (int32_t t = 0; t < n_ticks; ++t) {
        const int slot = t & (RING - 1);
        std::vector<uint32_t> &where = ring.where[slot];
        if (exact_weights) {
            for (size_t j = 0; j < where.size(); ++j) acc_exact[where[j]] += ring.exact[slot][j];
            ring.exact[slot].clear();
        } else {
            for (size_t j = 0; j < where.size(); ++j) acc[where[j]] += ring.steps[slot][j];
            ring.steps[slot].clear();
        }
        where.clear();
        if (external_slots) {  // test input: slot values fed in this tick, already saturated
            for (int64_t j = 0; j < 2 * n; ++j) acc[j] += external_slots[(size_t)t * 2 * n + j];
        }
        // The cells are independent within a tick: split each population over the threads
        // in contiguous blocks, so that the spikes come out in cell order whatever the count.
        float *rec_t = rec_out ? rec_out + (size_t)t * n_recorded * 3 : nullptr;
#pragma omp parallel num_threads(n_threads)
        {
#ifdef _OPENMP
            const int me = omp_get_thread_num(), team = omp_get_num_threads();
#else
            const int me = 0, team = 1;
#endif
            std::vector<int32_t> &mine = fired[me];
            mine.clear();
            for (int p = 0; p < net.n_pops; ++p) {
                const int64_t a = pop_start[p], b = pop_start[p + 1];
                const int64_t lo = a + (b - a) * me / team, hi = a + (b - a) * (me + 1) / team;
                update_block<FIXED>(lo, hi, p, net, sw, s, acc.data(),
                                    exact_weights ? acc_exact.data() : nullptr, slot_max,
                                    rec_of[p], rec_t, spiked.data());
                for (int64_t c = lo; c < hi; ++c) {
                    for (; spiked[c] > 0; --spiked[c]) mine.push_back((int32_t)c);
                }
            }
        }
        if (trace_out) {  // state after the tick (golden-trace test)
            for (int32_t k = 0; k < n_recorded; ++k) {
                const int32_t c = recorded[k];
                int32_t *tr = trace_out + ((size_t)t * n_recorded + k) * 5;
                if constexpr (FIXED) { tr[0] = s.v[c]; tr[1] = s.ge[c]; tr[2] = s.gi[c]; }
                tr[3] = 0;
                tr[4] = s.refract[c];
            }
            for (const std::vector<int32_t> &mine : fired)
                for (int32_t c : mine)
                    for (int32_t k = 0; k < n_recorded; ++k)
                        if (recorded[k] == c) ++trace_out[((size_t)t * n_recorded + k) * 5 + 3];
        }
        // A spike of tick t is sent in tick t and lands in slot t + d ([syn]); NEST's timing
        // stamps it at the end of the step, so it acts one tick later.
        const int32_t send = sw.nest_timing ? t + 1 : t;
        for (const std::vector<int32_t> &mine : fired) {
            for (int32_t c : mine) {
                if (n_spikes < spike_capacity) {
                    spike_tick[n_spikes] = t;
                    spike_cell[n_spikes] = c;
                }
                ++n_spikes;
                deliver(c, send);
            }
        }
        for (int64_t j = source_tick_start[t]; j < source_tick_start[t + 1]; ++j) {
            deliver((int64_t)n + source_by_tick[j], t);  // spike sources emit in their tick
        }
    }
    return n_spikes;
}

}  // namespace

extern "C" {

// Runs `n_ticks` of the network; returns the number of cell spikes (those beyond
// spike_capacity are counted but not stored). Arrays as described in spinnaker_emulated.py.
int64_t spinnaker_simulate(
    const RunSwitches *sw, int32_t n_cells, int32_t n_sources, int32_t n_pops,
    const uint8_t *pop, const PopulationParams *params, const DerivedConstants *consts,
    const PopulationReals *reals, const int64_t *row_start, const int32_t *target,
    const uint32_t *weight, const double *weight_real, const uint8_t *delay,
    const uint8_t *receptor, int32_t n_ticks, const int64_t *source_tick_start,
    const int32_t *source_by_tick, const int32_t *init_v_bits, const double *init_v,
    const uint32_t *external_slots, int32_t n_recorded, const int32_t *recorded,
    float *rec_out, int32_t *trace_out, int32_t *spike_tick, int32_t *spike_cell,
    int64_t spike_capacity, int32_t n_threads) {
    Network net{n_cells, n_sources, n_pops, pop, params, consts, reals, row_start, target,
                weight, weight_real, delay, receptor};
    if (sw->fixed_point)
        return simulate<true>(net, *sw, n_ticks, source_tick_start, source_by_tick,
                              init_v_bits, init_v, external_slots, n_recorded, recorded,
                              rec_out, trace_out, spike_tick, spike_cell, spike_capacity,
                           n_threads);
    return simulate<false>(net, *sw, n_ticks, source_tick_start, source_by_tick,
                           init_v_bits, init_v, external_slots, n_recorded, recorded,
                           rec_out, trace_out, spike_tick, spike_cell, spike_capacity,
                           n_threads);
}

}  // extern "C"
