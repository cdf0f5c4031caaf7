package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The {@code doc_search} tool: BM25 retrieval (Apache Lucene) over a local corpus of documents,
 * indexed in memory when the tool is built. The corpus is JSON lines with {@code id}, optional
 * {@code title} and {@code text}. Returns the best {@code k} documents with a snippet each.
 */
public final class DocSearch implements Tool {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIPPET = 300;

    private final Analyzer analyzer = new StandardAnalyzer();
    private final IndexSearcher searcher;
    private final int documents;
    private final Path source;

    public DocSearch(Path corpus) {
        this.source = corpus;
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        int n = 0;
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity()))) {
            int line = 0;
            for (String text : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode doc = JSON.readTree(text);
                if (doc == null || !doc.hasNonNull("text")) {
                    throw new IllegalArgumentException(corpus + ": line " + line + " has no \"text\"");
                }
                Document d = new Document();
                d.add(new StoredField("id", doc.path("id").asText(String.valueOf(line))));
                d.add(new TextField("title", doc.path("title").asText(""), Field.Store.YES));
                d.add(new TextField("text", doc.get("text").asText(), Field.Store.YES));
                writer.addDocument(d);
                n++;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(corpus + ": cannot index the doc_search corpus: " + e.getMessage(), e);
        }
        this.documents = n;
        try {
            this.searcher = new IndexSearcher(DirectoryReader.open(directory));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        searcher.setSimilarity(new BM25Similarity());
    }

    @Override
    public String name() {
        return "doc_search";
    }

    @Override
    public String description() {
        return "Searches " + documents + " documents of " + source.getFileName() + " by keywords (BM25) and returns the best matches.";
    }

    @Override
    public JsonNode parameters() {
        try {
            return JSON.readTree("{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},"
                    + "\"k\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10}},\"required\":[\"query\"]}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String call(JsonNode arguments) throws IOException {
        String query = arguments.path("query").asText();
        int k = arguments.path("k").asInt(3);
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        int terms = 0;
        for (String field : new String[] {"title", "text"}) {
            try (TokenStream stream = analyzer.tokenStream(field, query)) {
                CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
                stream.reset();
                while (stream.incrementToken()) {
                    q.add(new TermQuery(new Term(field, term.toString())), BooleanClause.Occur.SHOULD);
                    terms++;
                }
                stream.end();
            }
        }
        if (terms == 0) {
            throw new IllegalArgumentException("the query \"" + query + "\" has no searchable words");
        }
        ArrayNode hits = JSON.createArrayNode();
        for (ScoreDoc hit : searcher.search(q.build(), k).scoreDocs) {
            Document d = searcher.storedFields().document(hit.doc);
            ObjectNode h = hits.addObject();
            h.put("id", d.get("id"));
            h.put("title", d.get("title"));
            String text = d.get("text");
            h.put("snippet", text.length() <= SNIPPET ? text : text.substring(0, SNIPPET) + "…");
            h.put("score", Math.round(hit.score * 1000) / 1000.0);
        }
        return hits.toString();
    }
}
