package io.flotilla.pvm.tree;

/** A page of a paged directory below its top page: an index page (height >= 1) or a leaf page (height 0). */
final class PageNode extends Node {
    final Page page;

    PageNode(Page page) {
        this.page = page;
    }

    @Override
    byte[] encode() {
        return page.height == 0 ? page.encode(Codec.TAG_DIR_LEAF_PAGE, false) : page.encode(Codec.TAG_DIR_INDEX_PAGE, true);
    }

    @Override
    Ref.Kind reloadKind() {
        return Ref.Kind.DIR_PAGE;
    }

    @Override
    public String toString() {
        return "Page(h=" + page.height + ", n=" + page.size() + ", total=" + page.total + ")";
    }
}
