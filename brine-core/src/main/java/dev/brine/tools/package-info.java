/**
 * Tools built on Brine's single opcode table: the disassembler and the JSON view.
 */
package dev.brine.tools;
