package io.activemqha.labeler;

public final class LabelerMain {
    public static void main(String[] args) {
        System.out.println("placeholder");
    }
}
