#pragma once
/// \file html_text.h
/// HTML to plain text with gumbo (a full HTML5 parser): tags dropped, script/style/head
/// removed, entities decoded, block elements become line breaks.

#include <string>
#include <string_view>

namespace tpq {

/// `html` must be UTF-8. Runs of spaces collapse to one, at most one blank line is kept.
std::string htmlToText(std::string_view html);

}  // namespace tpq
