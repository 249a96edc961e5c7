#include "data/html_text.h"

#include <gumbo.h>

#include "util/strings.h"

namespace tpq {
namespace {

enum class Break { None, Line, Paragraph };

// How an element separates its content from its neighbours.
Break breakFor(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_P:
        case GUMBO_TAG_TABLE:
        case GUMBO_TAG_H1:
        case GUMBO_TAG_H2:
        case GUMBO_TAG_H3:
        case GUMBO_TAG_H4:
        case GUMBO_TAG_H5:
        case GUMBO_TAG_H6:
        case GUMBO_TAG_BLOCKQUOTE:
        case GUMBO_TAG_PRE:
        case GUMBO_TAG_UL:
        case GUMBO_TAG_OL:
        case GUMBO_TAG_DL:
        case GUMBO_TAG_FORM:
        case GUMBO_TAG_CENTER:
            return Break::Paragraph;
        case GUMBO_TAG_DIV:
        case GUMBO_TAG_LI:
        case GUMBO_TAG_TR:
        case GUMBO_TAG_DT:
        case GUMBO_TAG_DD:
        case GUMBO_TAG_HR:
        case GUMBO_TAG_BR:
        case GUMBO_TAG_BODY:
        case GUMBO_TAG_TITLE:
            return Break::Line;
        default:
            return Break::None;
    }
}

// Appends text, collapsing whitespace runs into one space (newlines are added by blocks).
class TextBuilder {
public:
    void text(const char* s) {
        for (const char* p = s; *p; ++p) {
            const char c = *p;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                m_pendingSpace = true;
            } else {
                if (m_pendingSpace && !m_out.empty() && m_out.back() != '\n') m_out += ' ';
                m_pendingSpace = false;
                m_out += c;
            }
        }
    }
    void lineBreak() {
        m_pendingSpace = false;
        while (!m_out.empty() && m_out.back() == ' ') m_out.pop_back();
        if (!m_out.empty() && m_out.back() != '\n') m_out += '\n';
    }
    void paragraphBreak() {
        lineBreak();
        const size_t n = m_out.size();
        if (n > 0 && !(n >= 2 && m_out[n - 2] == '\n')) m_out += '\n';
    }
    void apply(Break b) {
        if (b == Break::Line) lineBreak();
        if (b == Break::Paragraph) paragraphBreak();
    }
    std::string take() { return std::string(trim(m_out)); }

private:
    std::string m_out;
    bool m_pendingSpace = false;
};

void walk(const GumboNode* node, TextBuilder& out) {
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
        out.text(node->v.text.text);
        return;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT && node->type != GUMBO_NODE_TEMPLATE) {
        return;  // comments
    }
    const GumboVector* children = nullptr;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
    if (node->type == GUMBO_NODE_DOCUMENT) {
        children = &node->v.document.children;
    } else {
        tag = node->v.element.tag;
        if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_NOSCRIPT ||
            tag == GUMBO_TAG_TEMPLATE) {
            return;
        }
        children = &node->v.element.children;
    }
    const Break separation = breakFor(tag);
    out.apply(separation);
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out.text(" ");
    for (unsigned i = 0; i < children->length; ++i) {
        walk(static_cast<const GumboNode*>(children->data[i]), out);
    }
    out.apply(separation);
}

}  // namespace

std::string htmlToText(std::string_view html) {
    GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
    TextBuilder builder;
    walk(output->document, builder);
    gumbo_destroy_output(&kGumboDefaultOptions, output);
    return builder.take();
}

}  // namespace tpq
