package org.moebatch.model;

import org.moebatch.backend.Backend;

/** The feed-forward half of a decoder layer: a dense MLP or an MoE block. Reads {@code ws.normed}, writes {@code ws.ffnOut}. */
interface FeedForward {
    void forward(Backend be, Workspace ws);
}
