package org.moebatch.cuda;

/**
 * Every kernel the Java side launches: the PTX module it is in, its entry name, and its parameter
 * list as one letter each (p: device pointer, l: 64-bit integer, i: 32-bit integer, f: float).
 * Launches are checked against the signature, and a test checks the signatures against the PTX, so
 * a kernel and its launcher cannot drift apart silently.
 */
public enum KernelName {
    EMBED_BF16("rows", "embed_bf16", "pppi"),
    EMBED_F16("rows", "embed_f16", "pppi"),
    EMBED_F32("rows", "embed_f32", "pppi"),
    RMS_NORM("rows", "rms_norm", "pppfi"),
    ADD_RMS_NORM("rows", "add_rms_norm", "ppppfi"),
    ADD("rows", "add_inplace", "ppl"),
    SILU_MUL("rows", "silu_mul_inplace", "ppl"),
    GATHER_ROWS("rows", "gather_rows", "pppi"),

    ROPE("rope", "rope_inplace", "pppiiiiii"),

    LINEAR_ROWS_BF16("linear", "linear_rows_bf16", "ppppiiiiiiiiii"),
    LINEAR_ROWS_F16("linear", "linear_rows_f16", "ppppiiiiiiiiii"),
    LINEAR_ROWS_F32("linear", "linear_rows_f32", "ppppiiiiiiiiii"),
    LINEAR_TC_BF16("linear", "linear_tc_bf16", "ppppiiiii"),

    MLA_ABSORB_BF16("mla", "mla_absorb_query_bf16", "pppiiiiii"),
    MLA_ABSORB_F16("mla", "mla_absorb_query_f16", "pppiiiiii"),
    MLA_ABSORB_F32("mla", "mla_absorb_query_f32", "pppiiiiii"),
    MLA_ATTEND("mla", "mla_attend", "ppppppppppppiiiiiiiiiiif"),
    MLA_ATTEND_COMBINE("mla", "mla_attend_combine", "ppppiiii"),

    GQA_ATTEND("gqa", "gqa_attend", "pppppppiiiiiif"),

    KV_STORE("kv_cache", "kv_store", "pppppiiiii"),

    ROUTE("router", "route_tokens", "ppiiiiiiifpp"),
    COUNT_EXPERTS("router", "count_experts", "piip"),

    MOE_ALIGN("moe", "moe_align", "piiippp"),
    MOE_GATE_UP_GEMV_BF16("moe", "moe_gate_up_gemv_bf16", "pppppppiiiii"),
    MOE_GATE_UP_GEMV_F16("moe", "moe_gate_up_gemv_f16", "pppppppiiiii"),
    MOE_GATE_UP_GEMV_F32("moe", "moe_gate_up_gemv_f32", "pppppppiiiii"),
    MOE_DOWN_GEMV_BF16("moe", "moe_down_gemv_bf16", "ppppppiiii"),
    MOE_DOWN_GEMV_F16("moe", "moe_down_gemv_f16", "ppppppiiii"),
    MOE_DOWN_GEMV_F32("moe", "moe_down_gemv_f32", "ppppppiiii"),
    MOE_GATE_UP_TC_BF16("moe", "moe_gate_up_tc_bf16", "pppppppiiii"),
    MOE_DOWN_TC_BF16("moe", "moe_down_tc_bf16", "ppppppiii"),
    MOE_COMBINE("moe", "moe_combine", "ppppii"),

    FILL_UNIFORM_BF16("fill", "fill_uniform_bf16", "pllf"),
    FILL_UNIFORM_F32("fill", "fill_uniform_f32", "pllf");

    private final String module;
    private final String entry;
    private final String signature;

    KernelName(String module, String entry, String signature) {
        this.module = module;
        this.entry = entry;
        this.signature = signature;
    }

    public String module() {
        return module;
    }

    public String entry() {
        return entry;
    }

    public String signature() {
        return signature;
    }

    /** The embedding kernel for a table of {@code type}. */
    public static KernelName embed(WeightType type) {
        return switch (type) {
            case BF16 -> EMBED_BF16;
            case F16 -> EMBED_F16;
            case F32 -> EMBED_F32;
        };
    }

    public static KernelName linearRows(WeightType type) {
        return switch (type) {
            case BF16 -> LINEAR_ROWS_BF16;
            case F16 -> LINEAR_ROWS_F16;
            case F32 -> LINEAR_ROWS_F32;
        };
    }

    public static KernelName absorb(WeightType type) {
        return switch (type) {
            case BF16 -> MLA_ABSORB_BF16;
            case F16 -> MLA_ABSORB_F16;
            case F32 -> MLA_ABSORB_F32;
        };
    }

    public static KernelName gateUpRows(WeightType type) {
        return switch (type) {
            case BF16 -> MOE_GATE_UP_GEMV_BF16;
            case F16 -> MOE_GATE_UP_GEMV_F16;
            case F32 -> MOE_GATE_UP_GEMV_F32;
        };
    }

    public static KernelName downRows(WeightType type) {
        return switch (type) {
            case BF16 -> MOE_DOWN_GEMV_BF16;
            case F16 -> MOE_DOWN_GEMV_F16;
            case F32 -> MOE_DOWN_GEMV_F32;
        };
    }
}
