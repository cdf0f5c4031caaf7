package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalculatorTest {
    private static String eval(String e) {
        return Calculator.format(Calculator.evaluate(e));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "17*23 | 391", "0.1 + 0.2 | 0.3", "2 + 3 * 4 | 14", "(2 + 3) * 4 | 20", "2 ^ 3 ^ 2 | 512", "-2 ^ 2 | 4",
        "1 / 4 | 0.25", "1 / 3 | 0.3333333333333333333333333333333333", "10 % 3 | 1", "-7 % 3 | -1", "1.5e3 + 1 | 1501",
        "2 ^ -2 | 0.25", "123456789012345678901234567890 * 10 | 1234567890123456789012345678900", "  ( ( 1 ) ) | 1",
        "3 - -3 | 6", "2 ^ 100 | 1267650600228229401496703205376"})
    void exactArithmetic(String expression, String expected) {
        assertEquals(expected, eval(expression));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1 + | unexpected end of expression", "(1 + 2 | missing ')'", "1 + 2) | unexpected ')' at 6",
        "2 * x | unexpected 'x' at 5", "1 / 0 | division by zero", "5 % 0 | modulo by zero",
        "2 ^ 0.5 | must be a whole number", "2 ^ 99999 | too large", "1..2 | malformed number", "| unexpected end of expression",
        "1 2 | unexpected '2' at 3", "import os | unexpected 'i' at 1"})
    void malformedExpressionsSayWhere(String expression, String message) {
        String actual = assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate(expression == null ? "" : expression)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(actual.contains(message), actual);
    }

    @Test
    void hugeInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate("1+".repeat(6000) + "1"));
    }
}
