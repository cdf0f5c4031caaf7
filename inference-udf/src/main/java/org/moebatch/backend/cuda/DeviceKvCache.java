package org.moebatch.backend.cuda;

import org.moebatch.backend.KvCache;
import org.moebatch.backend.KvLayout;
import org.moebatch.backend.MlaDims;
import org.moebatch.cuda.CacheGeometry;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.MlaShape;

/**
 * Cache pages in device memory, laid out as {@link org.moebatch.backend.HostKvCache} lays them out on
 * the heap: page {@code p} is float32 {@code [layer][slot][entry]} (MLA: latent + rope key; grouped-query
 * attention: keys + values). Float32 like the
 * host cache, so the engine's page accounting (4 bytes an entry) holds and cached keys are the same
 * numbers on either backend. All pages are reserved when the engine starts (a device cannot grow an
 * allocation in place, and the kernels address a page by its index) and freed when the cache is
 * collected.
 */
public final class DeviceKvCache implements KvCache {
    private final CacheGeometry geometry;
    private final KvLayout layout;
    private final int pageCount;
    private final DeviceBuffer pages;

    /** The pages go back to the backend's pool once this cache (its engine) is collected. */
    DeviceKvCache(CacheGeometry geometry, KvLayout layout, int pageCount, DeviceBuffer pages, Reclaimer reclaimer) {
        this.geometry = geometry;
        this.layout = layout;
        this.pageCount = pageCount;
        this.pages = pages;
        reclaimer.track(this, pages);
    }

    static MlaShape shapeOf(MlaDims d) {
        return new MlaShape(d.heads(), d.nope(), d.rope(), d.value(), d.latent());
    }

    @Override
    public int pageSize() {
        return geometry.pageSize();
    }

    @Override
    public int pageCount() {
        return pageCount;
    }

    @Override
    public long pageBytes() {
        return geometry.pageBytes(layout.entryFloats());
    }

    CacheGeometry geometry() {
        return geometry;
    }

    KvLayout layout() {
        return layout;
    }

    DeviceBuffer pages() {
        return pages;
    }
}
