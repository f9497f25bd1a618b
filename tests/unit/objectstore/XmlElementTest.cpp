// The XML reader under S3's answers: what S3 sends, and what a cut or
// hostile body holds (refused, never thrown).
#include <gtest/gtest.h>

#include <string>

#include "objectstore/XmlElement.hpp"

namespace ct::objectstore {
namespace {

constexpr std::string_view kError =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist &amp; never did</Message>
<Resource>/mybucket/a&lt;b&gt;.webm</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>)";

TEST(XmlElement, ReadsAnS3ErrorBody) {
  const auto root = XmlElement::parse(kError);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->name(), "Error");
  EXPECT_EQ(root->child_text("Code"), "NoSuchKey");
  EXPECT_EQ(root->child_text("Message"), "The resource you requested does not exist & never did");
  EXPECT_EQ(root->child_text("Resource"), "/mybucket/a<b>.webm");
  EXPECT_EQ(root->child_text("Missing"), "");
  EXPECT_EQ(root->child("Missing"), nullptr);
  EXPECT_EQ(root->children().size(), 4u);
}

TEST(XmlElement, ReadsAttributesCommentsCdataAndCharacterReferences) {
  const auto root = XmlElement::parse(
      "<!-- before --><a xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\" x='1>2'>"
      "<b/><c><![CDATA[<raw>&amp;]]></c><!-- inside --><d>&#65;&#x42;&#xe9;&quot;&apos;</d></a>\n");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->name(), "a");
  ASSERT_EQ(root->children().size(), 3u);
  EXPECT_EQ(root->child("b")->text(), "");
  EXPECT_EQ(root->child_text("c"), "<raw>&amp;");
  EXPECT_EQ(root->child_text("d"), "AB\xc3\xa9\"'");
}

TEST(XmlElement, RefusesEveryTruncationOfAValidBody) {
  const std::string body(kError);
  ASSERT_TRUE(XmlElement::parse(body));
  // Everything up to the root's closing tag is incomplete; trailing space may go.
  const size_t root_end = body.rfind('>') + 1;
  for (size_t n = 0; n < root_end; ++n) {
    EXPECT_FALSE(XmlElement::parse(body.substr(0, n))) << "length " << n;
  }
}

TEST(XmlElement, RefusesGarbage) {
  for (const char* text : {"",
                           "   ",
                           "plain text",
                           "<",
                           "<>",
                           "</a>",
                           "<a>",
                           "<a></b>",
                           "<a><b></a></b>",
                           "<a>&unknown;</a>",
                           "<a>&#0;</a>",
                           "<a>&#xD800;</a>",
                           "<a>&#x110000;</a>",
                           "<a>&amp</a>",
                           "<a x=1></a>",
                           "<a x=\"1></a>",
                           "<a></a><b></b>",
                           "<a></a>trailing",
                           "<a><!-- never closed </a>",
                           "<a><![CDATA[ never closed</a>",
                           "\x01\xff\xfe"}) {
    EXPECT_FALSE(XmlElement::parse(text)) << text;
  }
}

TEST(XmlElement, BoundsTheNesting) {
  std::string ok, deep;
  for (size_t i = 0; i < XmlElement::kMaxDepth; ++i) ok += "<a>";
  for (size_t i = 0; i < XmlElement::kMaxDepth; ++i) ok += "</a>";
  EXPECT_TRUE(XmlElement::parse(ok));
  for (size_t i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_FALSE(XmlElement::parse(deep)) << "a deep body is refused, not a stack overflow";
}

}  // namespace
}  // namespace ct::objectstore
